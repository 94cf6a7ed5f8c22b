package incident

import (
	"github.com/stepcheck/stepcheck/wasm/store"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// Fill fills the postmortem template's own fields of the incident, as its
// state stands at now, in the local time offsetMin minutes east of UTC:
// {{duration}}, and {{summary}} unless one has been written. The summary is
// a Markdown list, like the template's Impact: the severity, start, response
// time, end, impact and commander. {{title}} and {{timeline}} are the
// incident's fields already.
func Fill(inc store.Incident, s State, now int64, offsetMin int) {
	end, state, ended := s.Ended, "ended", "Ended"
	if end == 0 {
		end, state, ended = now, "ongoing", "Still open at"
	}
	responded := ""
	if s.Acked > 0 {
		responded = Dur(s.Acked - s.Started)
	}
	inc.SetField("duration", Dur(end-s.Started)+", from "+When(s.Started, offsetMin)+" to "+When(end, offsetMin)+" ("+state+")")
	if inc.Field("summary") != "" {
		return
	}
	summary := ""
	kv := []string{"Severity", inc.Field(widget.FieldSeverity), "Started", When(s.Started, offsetMin), "Responded in", responded,
		ended, When(end, offsetMin), "Impact", inc.Field(widget.FieldImpact), "Incident commander", inc.Field(widget.FieldCommander)}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] != "" {
			summary = join("\n", summary, "- **"+kv[i]+"**: "+kv[i+1])
		}
	}
	inc.SetField("summary", summary)
}
