package incident

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/wasm/form"
	"github.com/stepcheck/stepcheck/wasm/store"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

var (
	sevs = []string{"SEV-1", "SEV-2", "SEV-3", "SEV-4"}
	sev1 = Severity{ID: "SEV-1", Respond: 300, Resolve: 3600, Internal: 1800, StatusPage: 900}
)

const (
	minute = int64(60_000)
	t0     = int64(1_794_985_600_000) // 2026-11-18 07:06:40 UTC
)

func TestGaugeBoundaries(t *testing.T) {
	for _, c := range []struct {
		name            string
		elapsed, target int64
		want            Level
	}{
		{"no target", 10, 0, None},
		{"79%", 79, 100, OK},
		{"just under 80%", 239_999, 300_000, OK},
		{"80%", 80, 100, Near},
		{"80% of 5 min", 240_000, 300_000, Near},
		{"99%", 99, 100, Near},
		{"just under 100%", 299_999, 300_000, Near},
		{"100%", 100, 100, Over},
		{"past", 101, 100, Over},
	} {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, Gauge(c.elapsed, c.target)) })
	}
}

func TestClockAgainstTargets(t *testing.T) {
	for _, c := range []struct {
		name     string
		state    State
		now      int64
		respond  Meter
		resolve  Meter
		internal Meter
		status   Meter
		level    Level
	}{
		{
			name:  "79% of the response target, not yet responded",
			state: State{Started: t0}, now: t0 + 237_000,
			respond:  Meter{"Respond 3 min of 5 min · on track", OK},
			resolve:  Meter{"Resolve 3 min of 1 h · on track", OK},
			internal: Meter{"Internal update due in 26 min", OK},
			status:   Meter{"Status page update due in 11 min", OK},
			level:    OK,
		},
		{
			name:  "80% of the response target",
			state: State{Started: t0}, now: t0 + 4*minute,
			respond:  Meter{"Respond 4 min of 5 min · near target", Near},
			resolve:  Meter{"Resolve 4 min of 1 h · on track", OK},
			internal: Meter{"Internal update due in 26 min", OK},
			status:   Meter{"Status page update due in 11 min", OK},
			level:    Near,
		},
		{
			name:  "100% of the response target",
			state: State{Started: t0}, now: t0 + 5*minute,
			respond:  Meter{"Respond 5 min of 5 min · target passed", Over},
			resolve:  Meter{"Resolve 5 min of 1 h · on track", OK},
			internal: Meter{"Internal update due in 25 min", OK},
			status:   Meter{"Status page update due in 10 min", OK},
			level:    Over,
		},
		{
			name:  "responded at 4 min: the response stops counting and no longer colours the bar",
			state: State{Started: t0, Acked: t0 + 4*minute}, now: t0 + 47*minute + 59_999,
			respond:  Meter{"Responded in 4 min of 5 min · near target", Near},
			resolve:  Meter{"Resolve 47 min of 1 h · on track", OK},
			internal: Meter{"Internal update overdue by 17 min", Over},
			status:   Meter{"Status page update overdue by 32 min", Over},
			level:    Over,
		},
		{
			name:  "80% of the resolution target, updates just sent",
			state: State{Started: t0, Acked: t0 + minute, LastInternal: t0 + 47*minute, LastStatusPage: t0 + 47*minute}, now: t0 + 48*minute,
			respond:  Meter{"Responded in 1 min of 5 min · on track", OK},
			resolve:  Meter{"Resolve 48 min of 1 h · near target", Near},
			internal: Meter{"Internal update due in 29 min", OK},
			status:   Meter{"Status page update due in 14 min", OK},
			level:    Near,
		},
		{
			name:  "an update enters its last 20%",
			state: State{Started: t0, Acked: t0, LastStatusPage: t0 + 10*minute}, now: t0 + 22*minute,
			respond:  Meter{"Responded in 0 s of 5 min · on track", OK},
			resolve:  Meter{"Resolve 22 min of 1 h · on track", OK},
			internal: Meter{"Internal update due in 8 min", OK},
			status:   Meter{"Status page update due in 3 min", Near},
			level:    Near,
		},
		{
			name:  "100% of the resolution target",
			state: State{Started: t0, Acked: t0, LastInternal: t0 + 59*minute, LastStatusPage: t0 + 59*minute}, now: t0 + 60*minute,
			respond:  Meter{"Responded in 0 s of 5 min · on track", OK},
			resolve:  Meter{"Resolve 1 h of 1 h · target passed", Over},
			internal: Meter{"Internal update due in 29 min", OK},
			status:   Meter{"Status page update due in 14 min", OK},
			level:    Over,
		},
		{
			name:  "ended: the clock stops and nothing is due",
			state: State{Started: t0, Acked: t0 + 2*minute, Ended: t0 + 53*minute}, now: t0 + 600*minute,
			respond: Meter{"Responded in 2 min of 5 min · on track", OK},
			resolve: Meter{"Resolved in 53 min of 1 h · near target", Near},
			level:   Near,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := Clock(sev1, c.state, c.now)
			assert.Equal(t, c.respond, v.Respond, "respond")
			assert.Equal(t, c.resolve, v.Resolve, "resolve")
			assert.Equal(t, c.internal, v.Internal, "internal")
			assert.Equal(t, c.status, v.StatusPage, "status page")
			assert.Equal(t, c.level, v.Level, "level")
		})
	}
	v := Clock(Severity{ID: "SEV-3"}, State{Started: t0}, t0+minute)
	assert.Equal(t, View{Elapsed: "1 min"}, v, "a severity without targets shows only the elapsed time")
	assert.Equal(t, "near", Near.String())
}

func TestBarText(t *testing.T) {
	v := Clock(sev1, State{Started: t0, Acked: t0 + minute, LastInternal: t0 + 10*minute, LastStatusPage: t0 + 15*minute}, t0+26*minute)
	sum, detail := v.Text("SEV-1", "Checkout down", false)
	assert.Equal(t, "SEV-1 Checkout down · 26 min\nResolve 26 min of 1 h · on track\nStatus page update due in 4 min", sum, "on a tie, the status page's update")
	assert.Equal(t, "Responded in 1 min of 5 min · on track\nResolve 26 min of 1 h · on track\nInternal update due in 14 min\nStatus page update due in 4 min", detail)

	v = Clock(sev1, State{Started: t0, Acked: t0 + minute, LastStatusPage: t0 + 25*minute}, t0+26*minute)
	sum, _ = v.Text("SEV-1", "Checkout down", false)
	assert.Equal(t, "SEV-1 Checkout down · 26 min\nResolve 26 min of 1 h · on track\nInternal update due in 4 min", sum, "the internal update is nearer its time")

	sum, detail = Clock(Severity{}, State{Started: t0, Ended: t0 + 90*minute}, t0+100*minute).Text("", "", true)
	assert.Equal(t, "Untitled incident · 1 h 30 min · ended", sum)
	assert.Equal(t, "", detail)
}

func TestDur(t *testing.T) {
	for ms, want := range map[int64]string{-5: "0 s", 59_999: "59 s", 60_000: "1 min", 3_599_999: "59 min", 3_600_000: "1 h", 3_900_000: "1 h 05 min", 72 * 3_600_000: "72 h"} {
		assert.Equal(t, want, Dur(ms), "Dur(%d)", ms)
	}
}

func TestCopyKind(t *testing.T) {
	assert.Equal(t, KindStatusPage, CopyKind("status-page"))
	assert.Equal(t, KindStatusPage, CopyKind("status-page-resolved"))
	assert.Equal(t, KindCopy, CopyKind("incident-start"))
}

func TestTimelineRecordsInOrder(t *testing.T) {
	inc := store.Open(store.Map{}, "INC-1")
	Record(inc, KindCheck, "Backend liveness: down — [STATUS] (503) == 200", t0, 60)
	Record(inc, KindTick, "ticked: Acknowledge the alert", t0+65_000, 60)
	Record(inc, KindNote, "multi\nline\t<b>text</b>\x00", t0+66_000, 60)
	Record(inc, KindCopy, "Incident start (internal) (Investigating)", t0+67_000, 60)
	Record(inc, KindStatusPage, "Status page update (Identified)", t0+68_000, 60)
	got := Record(inc, KindEnd, "", t0+17*3_600_000, 60)
	want := "- **2026-11-18 08:06:40**: Check: Backend liveness: down — [STATUS] (503) == 200\n" +
		"- **2026-11-18 08:07:45**: Checklist: ticked: Acknowledge the alert\n" +
		"- **2026-11-18 08:07:46**: Note: multi line <b>text</b>\n" +
		"- **2026-11-18 08:07:47**: Message copied: Incident start (internal) (Investigating)\n" +
		"- **2026-11-18 08:07:48**: Status page update copied: Status page update (Identified)\n" +
		"- **2026-11-19 01:06:40**: Incident ended"
	assert.Equal(t, want, got, "one line per event, in order, the date first and when it changes")
	assert.Equal(t, want, inc.Field("timeline"), "the timeline is the incident's field")
	s := StateOf(inc, t0)
	assert.Equal(t, t0+67_000, s.LastInternal)
	assert.Equal(t, t0+68_000, s.LastStatusPage)

	// The responder edits the timeline as text; recording goes on after it.
	inc.SetField("timeline", "- **08:06:40**: Check: edited\n\n")
	assert.Equal(t, "- **08:06:40**: Check: edited\n- **2026-11-19 01:06:41**: Note: after the edit", Record(inc, KindNote, "after the edit", t0+17*3_600_000+1000, 60))

	long := Line(strings.Repeat("é", MaxText))
	assert.LessOrEqual(t, len(long), MaxText)
	assert.True(t, strings.HasSuffix(long, "é"), "a long text is cut on a character boundary")

	var tl string
	for i := range 500 {
		tl = Record(inc, KindNote, strconv.Itoa(i)+strings.Repeat("x", 40), t0+17*3_600_000+2000, 60)
	}
	assert.LessOrEqual(t, len(tl), MaxTimeline)
	assert.True(t, strings.HasSuffix(tl, "499"+strings.Repeat("x", 40)))
	assert.True(t, strings.HasPrefix(tl, "- **2026-11-19 01:06:42**: Note: "), "the oldest lines go whole")
}
func TestTimes(t *testing.T) {
	assert.Equal(t, "2026-11-18 07:06 UTC+00:00", When(t0, 0))
	assert.Equal(t, "2026-11-17 23:36 UTC-07:30", When(t0, -450))
	assert.Equal(t, "2026-11-18T08:06:40", InputValue(t0, 60))
	assert.Equal(t, "2026-11-26 07:05 UTC+01:00", When(1_795_673_100_000, 60), "{{now}} in the templates")
	assert.Equal(t, "2026-01-02 23:59 UTC-05:30", When(1_767_418_140_000, -330))
	d, c := Stamp(0, 0)
	assert.Equal(t, "1970-01-01 00:00:00", d+" "+c)
	d, c = Stamp(951_782_400_000, 0) // leap day
	assert.Equal(t, "2000-02-29 00:00:00", d+" "+c)

	for in, want := range map[string]int64{
		"2026-11-18T07:06:40Z": t0,
		"2026-11-18t07:06:40z": t0,
		"2026-11-18 07:06:40Z": t0,
		"2000-02-29T00:00:00Z": 951_782_400_000,
	} {
		got, ok := ParseTime(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "now", "2026-11-18", "2026-11-18T07:06:40", "0001-01-01T00:00:00Z", "2026-13-18T07:06:40Z",
		"2026-11-18T24:06:40Z", "2026-11-18T07:06:40.Z", "2026-11-18T07:06:40+01:00", "2026-11-18T07:06:40x5Z", "+026-11-18T07:06:40Z",
		"2026-11-18X07:06:40Z", "2026-11-18T07-06:40Z", "2026-11-18T07:06:4xZ", "2026-11-18T07:06:40.1x2Z", "2026-11-18T07:06:40.5Z", "2026-11-18T07:06:40ZZ", "2026-11-18T07:06:40-",
		"2026M11-18T07:06:40Z", "2026-11-18T07Z06:40Z", "2026-11-18T07:06:40M"} {
		_, ok := ParseTime(bad)
		assert.False(t, ok, bad)
	}

	id := NewID(t0)
	assert.Equal(t, "INC-"+strconv.FormatInt(t0, 36), id)
	assert.NotEqual(t, id, NewID(t0+1))
	assert.True(t, ValidID(id))
	for _, bad := range []string{"", "a:b", "x y", "<script>", strings.Repeat("a", 41), "é"} {
		assert.False(t, ValidID(bad), bad)
	}
}

func TestPostmortemFill(t *testing.T) {
	inc := store.Open(store.Map{}, "INC-1")
	for k, v := range map[string]string{"title": "Checkout down", "severity": "SEV-1", "impact": "No orders", "commander": "Ana"} {
		inc.SetField(k, v)
	}
	Fill(inc, State{Started: t0, Acked: t0 + 4*minute, Ended: t0 + 53*minute}, t0+90*minute, 0)
	assert.Equal(t, "53 min, from 2026-11-18 07:06 UTC+00:00 to 2026-11-18 07:59 UTC+00:00 (ended)", inc.Field("duration"))
	assert.Equal(t, "- **Severity**: SEV-1\n- **Started**: 2026-11-18 07:06 UTC+00:00\n- **Responded in**: 4 min\n- **Ended**: 2026-11-18 07:59 UTC+00:00\n"+
		"- **Impact**: No orders\n- **Incident commander**: Ana", inc.Field("summary"))

	inc.SetField("summary", "Written by hand.")
	Fill(inc, State{Started: t0, Acked: t0 + 4*minute, Ended: t0 + 60*minute}, t0+90*minute, 0)
	assert.Equal(t, "Written by hand.", inc.Field("summary"), "a summary someone wrote stays")
	assert.Equal(t, "1 h, from 2026-11-18 07:06 UTC+00:00 to 2026-11-18 08:06 UTC+00:00 (ended)", inc.Field("duration"), "the duration follows the incident")

	open := store.Open(store.Map{}, "INC-2")
	open.SetField("title", "DB slow")
	Fill(open, State{Started: t0}, t0+65*minute, 0)
	assert.Equal(t, "1 h 05 min, from 2026-11-18 07:06 UTC+00:00 to 2026-11-18 08:11 UTC+00:00 (ongoing)", open.Field("duration"))
	assert.Equal(t, "- **Started**: 2026-11-18 07:06 UTC+00:00\n- **Still open at**: 2026-11-18 08:11 UTC+00:00", open.Field("summary"), "empty fields are left out")
}

func TestShareLinkRoundTrip(t *testing.T) {
	o := Offer{
		ID:     "INC-20261118-0806-0ya",
		Fields: map[string]string{"title": "Checkout down & <b>pay</b> 100%+ a=b", "severity": "SEV-1", "status": "Investigating", "commander": "Zoë"},
		State:  State{Started: t0, Acked: t0 + minute, LastInternal: t0 + 2*minute},
	}
	lines := []string{"- **07:07:40**: Incident opened: SEV-1 Checkout down", "- **07:08:40**: Note: 🚨 #1 & a=b?c"}
	o.Fields["timeline"] = "\n" + lines[0] + "\n\n" + lines[1] + "\n"
	frag, label := o.Link(true)
	delete(o.Fields, "timeline")
	o.Timeline = lines
	assert.True(t, strings.HasPrefix(frag, "incident=INC-20261118-0806-0ya&"))
	assert.NotContains(t, frag, "#")
	assert.Equal(t, "Share link: title, severity, status, commander, start time and 2 timeline lines · "+strconv.Itoa(len(frag))+" bytes", label)
	got, ok := ParseOffer("#"+frag, sevs, nil)
	require.True(t, ok)
	assert.Equal(t, o, got)
	assert.Equal(t, "Checkout down & <b>pay</b> 100%+ a=b\nSEV-1 · started 2026-11-18 07:06 UTC+00:00 · 2 timeline lines",
		got.Describe(t0+10*minute, 0))

	bare, label := o.Link(false)
	assert.Equal(t, "Share link: title, severity, status, commander, start time · "+strconv.Itoa(len(bare))+" bytes", label, "no timeline")
	got, ok = ParseOffer(bare, sevs, nil)
	require.True(t, ok)
	assert.Empty(t, got.Timeline)
	assert.Equal(t, o.Fields, got.Fields)
	assert.Equal(t, o.State, got.State)
}

func TestShareLinkSizeBound(t *testing.T) {
	o := Offer{ID: "INC-1", Fields: map[string]string{"title": "Big"}, State: State{Started: t0}}
	for i := range 200 {
		o.Timeline = append(o.Timeline, "- **07:06:40**: Note: "+strconv.Itoa(i)+" "+strings.Repeat("x", 40))
	}
	o.Fields["timeline"] = strings.Join(o.Timeline, "\n")
	frag, label := o.Link(true)
	assert.LessOrEqual(t, len(frag), MaxLink)
	assert.Greater(t, len(frag), MaxLink-100, "the link is filled up to the bound")
	got, ok := ParseOffer(frag, sevs, nil)
	require.True(t, ok)
	kept := len(got.Timeline)
	assert.Greater(t, kept, 10)
	assert.Less(t, kept, 200)
	assert.Equal(t, o.Timeline[200-kept:], got.Timeline, "the newest lines are kept, the oldest dropped")
	assert.Contains(t, label, strconv.Itoa(kept)+" timeline lines ("+strconv.Itoa(200-kept)+" oldest left out to stay under 4 KB)")

	delete(o.Fields, "timeline")
	o.Fields["title"] = strings.Repeat("%", 2000) // each byte escapes to three
	o.Fields["impact"] = strings.Repeat("%", 2000)
	o.Fields["eta"] = strings.Repeat("%", 2000)
	frag, label = o.Link(true)
	assert.Equal(t, "", frag)
	assert.Equal(t, "Too long to share as a link", label)
}

func TestHostileShareLinks(t *testing.T) {
	for _, bad := range []string{"", "#", "#incident=", "#other=x", "#incident=%ZZ", "#incident=a%3Ab", "#incident=" + strings.Repeat("a", 41)} {
		_, ok := ParseOffer(bad, sevs, nil)
		assert.False(t, ok, bad)
	}
	got, ok := ParseOffer("#incident=INC-1&started=100&ended=-5&title=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&severity=BOGUS&evil=x&status=a%00b"+
		"&t=a%0Ab%00&t=&acked=1e9", sevs, nil)
	require.True(t, ok)
	assert.Equal(t, Offer{ID: "INC-1", State: State{Started: 100}, Fields: map[string]string{"title": "<img src=x onerror=alert(1)>"},
		Timeline: []string{"a b"},
		Ignored:  []string{"ended=-5", "severity=BOGUS", "evil=x", "status=ab", "t=", "acked=1e9"}}, got,
		"only known fields, valid severities and statuses are kept, as text")
}

func TestParseOffer(t *testing.T) {
	known := form.Fields(sevs, []form.Field{{Name: "next_steps", Type: "long"}})
	o, ok := ParseOffer("?alertname=BackendDown&severity=critical&summary=Backend+is+down&startsAt=2026-11-18T07%3A06%3A40Z", sevs, known)
	require.True(t, ok)
	assert.Equal(t, Offer{Alert: "BackendDown", Summary: "Backend is down", Fields: map[string]string{"title": "BackendDown: Backend is down", "severity": "SEV-1"}, State: State{Started: t0}}, o)
	assert.Equal(t, "BackendDown: Backend is down\nSEV-1 · started 2026-11-18 07:06 UTC+00:00", o.Describe(t0+4*minute, 0))
	assert.Equal(t, t0, o.Start(t0+minute))
	assert.Equal(t, t0-minute, o.Start(t0-minute), "a start in the future starts now")

	for in, want := range map[string]string{"critical": "SEV-1", "warning": "SEV-2", "info": "SEV-4", "sev-3": "SEV-3", " SEV-2 ": "SEV-2", "CRITICAL": "SEV-1"} {
		assert.Equal(t, want, severity(in, sevs), in)
	}
	assert.Equal(t, "", severity("warning", []string{"P1"}), "no second severity to map warning to")

	o, ok = ParseOffer("title=Checkout+down&severity=SEV-2&status=Identified&next_steps=x", sevs, known)
	require.True(t, ok)
	assert.Equal(t, Offer{Fields: map[string]string{"title": "Checkout down", "severity": "SEV-2", "status": "Identified", "next_steps": "x"}}, o,
		"a plain prefill offers too, with the page's own fields")
	assert.Equal(t, "Checkout down\nSEV-2 · started 2026-11-18 07:06 UTC+00:00", o.Describe(t0, 0))

	_, ok = ParseOffer("?status=Identified&q=1", sevs, known)
	assert.False(t, ok, "nothing to start")
	_, ok = ParseOffer("?summary=x", sevs, known)
	assert.False(t, ok, "a summary alone names nothing")

	hostile := "?alertname=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&severity=%3Cb%3Eboom&startsAt=javascript%3Aalert(1)&summary=a%00%0Ab&bad=%ZZ&%3Cscript%3E=1&" +
		"x=" + strings.Repeat("y", 500)
	o, ok = ParseOffer(hostile, sevs, known)
	require.True(t, ok)
	assert.Equal(t, "<img src=x onerror=alert(1)>", o.Alert, "the value is kept as text, to be shown as text")
	assert.Equal(t, map[string]string{"title": "<img src=x onerror=alert(1)>: a b"}, o.Fields)
	assert.Equal(t, int64(0), o.Started)
	assert.Equal(t, []string{"severity=<b>boom", "startsAt=javascript:alert(1)", "bad=%ZZ", "<script>=1", "x=" + strings.Repeat("y", maxParam-2) + "…"}, o.Ignored,
		"what was left out is listed, as text")
	assert.Equal(t, "<img src=x onerror=alert(1)>: a b\nstarted 2026-11-18 07:06 UTC+00:00\n"+
		"Ignored: severity=<b>boom, startsAt=javascript:alert(1), bad=%ZZ, <script>=1, x="+strings.Repeat("y", maxParam-2)+"…", o.Describe(t0, 0))

	long, _ := ParseOffer("alertname="+strings.Repeat("é", 300), sevs, nil)
	assert.LessOrEqual(t, len(long.Alert), maxParam+len("…"))
	assert.True(t, strings.HasSuffix(long.Alert, "é…"))
}

func TestPrefillFieldsAsTheFormWould(t *testing.T) {
	fs := form.Fields(sevs, []form.Field{{Name: "notes", Type: "long"}, {Name: "now", Type: "auto"}, {Name: "channel", Type: "select", Options: []string{"Slack", "Email"}}})
	o, ok := ParseOffer("?title=DB+down%21&severity=sev-2&status=Exploded&unknown=x&now=fake&bad=%ZZ&impact=%&notes=a%0Ab&"+
		"eta=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&channel=slack&commander=%20%09", sevs, fs)
	require.True(t, ok)
	assert.Equal(t, map[string]string{
		"title":    "DB down!",
		"severity": "SEV-2",
		"notes":    "a\nb",
		"eta":      "<img src=x onerror=alert(1)>",
		"channel":  "Slack",
	}, o.Fields, "hostile values stay text; a select takes its option in any case; long text keeps its lines")
	assert.Equal(t, []string{"status=Exploded", "unknown=x", "now=fake", "bad=%ZZ", "impact=%", "commander="}, o.Ignored,
		"unknown, automatic, invalid and empty values are left out")

	inc := Open(store.Map{}, o, t0, 0)
	assert.Equal(t, "a\nb", inc.Field("notes"), "the page's own fields go into the new incident")
	assert.Equal(t, "Slack", inc.Field("channel"))
}

func TestOpenRecordEndAndJoin(t *testing.T) {
	kv := store.Map{}
	o, _ := ParseOffer("?alertname=BackendDown&severity=critical&summary=Backend+is+down&startsAt=2026-11-18T07%3A06%3A40Z", sevs, nil)
	inc := Open(kv, o, t0+4*minute, 0)
	assert.Equal(t, NewID(t0+4*minute), inc.ID)
	assert.Equal(t, inc.ID, store.Current(kv).ID)
	assert.Equal(t, "BackendDown: Backend is down", inc.Field("title"))
	assert.Equal(t, "SEV-1", inc.Field("severity"))
	assert.Equal(t, "2026-11-18T07:06:40", inc.Field("started"))
	assert.Equal(t, "- **2026-11-18 07:06:40**: Alert fired: BackendDown Backend is down\n- **2026-11-18 07:10:40**: Incident opened: SEV-1 BackendDown: Backend is down",
		inc.Field("timeline"), "the alert, then the opening, which is the response")
	assert.Equal(t, State{Started: t0, Acked: t0 + 4*minute}, StateOf(inc, t0))
	assert.Equal(t, t0+4*minute, StateOf(inc, 0).Started, "an unreadable start counts from the opening")

	inc.SetField("status", "Resolved")
	tl := End(inc, t0+53*minute, 0)
	assert.True(t, strings.HasSuffix(tl, "\n- **2026-11-18 07:59:40**: Incident ended: Resolved"))
	assert.Equal(t, t0+53*minute, StateOf(inc, t0).Ended)
	assert.Equal(t, "SEV-1 BackendDown: Backend is down · 2026-11-18T07:06:40", Brief(inc))

	// A teammate's device: the share link opens the same incident.
	fields := map[string]string{}
	for _, n := range SharedFields() {
		fields[n] = inc.Field(n)
	}
	fields["timeline"] = tl
	frag, _ := Offer{ID: inc.ID, Fields: fields, State: StateOf(inc, t0)}.Link(true)
	sh, ok := ParseOffer(frag, sevs, nil)
	require.True(t, ok)
	other := store.Map{}
	mine := Open(other, Offer{Fields: map[string]string{"title": "unrelated"}}, t0, 0)
	joined := Open(other, sh, t0+60*minute, 60)
	assert.Equal(t, inc.ID, joined.ID)
	assert.Equal(t, inc.ID, store.Current(other).ID)
	for _, n := range SharedFields() {
		assert.Equal(t, inc.Field(n), joined.Field(n), n)
	}
	assert.Equal(t, "2026-11-18T08:06:40", joined.Field("started"), "the start shows in the teammate's time zone")
	assert.Equal(t, tl, joined.Field("timeline"))
	assert.Equal(t, StateOf(inc, t0), StateOf(joined, t0))
	assert.Equal(t, []string{mine.ID, inc.ID}, store.List(other))

	Record(joined, KindNote, "teammate's note", t0+54*minute, 60)
	Open(other, sh, t0+61*minute, 60) // opening the link again keeps the device's timeline
	assert.Equal(t, tl+"\n- **2026-11-18 09:00:40**: Note: teammate's note", joined.Field("timeline"))
	assert.NotContains(t, Brief(joined), "not ended")
	assert.Contains(t, Brief(mine), "not ended")
}

// TestSharedFieldsAreTheContract checks that a link carries the built-in
// fields, widget.Fields, but the start time.
func TestSharedFieldsAreTheContract(t *testing.T) {
	var want []string
	for _, f := range widget.Fields(nil) {
		if f.Name != widget.FieldStarted {
			want = append(want, f.Name)
		}
	}
	shared := SharedFields()
	assert.Equal(t, want, shared[:])
}
