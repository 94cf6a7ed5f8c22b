// Package corpus writes a synthetic runbook site for benchmarks: many pages
// of realistic runbook Markdown (headings, commands, tables, checklists,
// links, probe references and templates), laid out so that both stepcheck
// and Hugo can build the very same Markdown.
package corpus

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

var (
	services = []string{"backend", "frontend", "postgres", "redis", "gateway", "billing", "search", "auth", "queue", "storage"}
	verbs    = []string{"Restart", "Drain", "Scale", "Inspect", "Rotate", "Flush", "Fail over", "Throttle", "Roll back", "Reindex"}
	symptoms = []string{"high latency", "5xx spike", "disk full", "memory leak", "connection storm", "replication lag", "certificate expiry", "queue backlog", "cache stampede", "DNS failure"}
	commands = []string{
		"docker-compose logs %s --tail=100",
		"kubectl -n prod rollout restart deploy/%s",
		"curl -sf http://%s:8080/healthz",
		"journalctl -u %s --since \"<SINCE>\"",
		"docker-compose exec postgres psql -U app -c \"SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s';\"",
		"redis-cli -h %s info stats | grep keyspace",
		"iptables -A INPUT -s <SUSPICIOUS_IP> -j DROP # %s",
	}
)

// Write creates a site with n pages below dir: content/ with sections of 15
// pages, content/probes.yaml, stepcheck.yaml, and the minimal Hugo config
// and layouts Hugo needs to render the same content.
func Write(dir string, n int) error {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	write := func(rel, body string) error {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, []byte(body), 0o644)
	}
	files := map[string]string{
		"stepcheck.yaml":               "title: Benchmark runbooks\n",
		"hugo.toml":                    "title = \"Benchmark runbooks\"\nbaseURL = \"/\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\"]\n[markup.goldmark.parser]\nautoHeadingID = true\n",
		"layouts/_default/baseof.html": "<!doctype html><html><head><title>{{ .Title }}</title></head><body><nav>{{ range .Site.Sections }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}</nav>{{ block \"main\" . }}{{ end }}</body></html>\n",
		"layouts/_default/single.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .TableOfContents }}{{ .Content }}{{ end }}\n",
		"layouts/_default/list.html":   "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n",
		"content/_index.md":            "---\ntitle: Benchmark runbooks\n---\n\nStart here.\n",
	}
	var probes strings.Builder
	probes.WriteString("probes:\n")
	for _, s := range services {
		fmt.Fprintf(&probes, "  %s-live:\n    title: %s liveness\n    type: http\n    url: http://127.0.0.1:1/%s\n", s, s, s)
	}
	files["content/probes.yaml"] = probes.String()
	for name, body := range files {
		if err := write(name, body); err != nil {
			return err
		}
	}
	sections := (n + 14) / 15
	for s := range sections {
		sec := fmt.Sprintf("area-%02d", s)
		if err := write("content/"+sec+"/_index.md", fmt.Sprintf("---\ntitle: Area %02d\nweight: %d\n---\n\nRunbooks for area %d.\n", s, s+1, s)); err != nil {
			return err
		}
	}
	for i := range n {
		sec := fmt.Sprintf("area-%02d", i%sections)
		if err := write(fmt.Sprintf("content/%s/runbook-%03d.md", sec, i), page(rng, i, n, sections)); err != nil {
			return err
		}
	}
	return nil
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// page writes one runbook of about 6 KB, the size of a real procedure page.
func page(rng *rand.Rand, i, n, sections int) string {
	svc := pick(rng, services)
	sym := pick(rng, symptoms)
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: \"%s %s (%d)\"\ndescription: What to do when %s shows %s.\nweight: %d\ntags: [%s, sev-%d]\nservice: %s\n---\n\n",
		strings.ToUpper(sym[:1])+sym[1:], svc, i, svc, sym, i%20+1, svc, i%4+1, svc)
	fmt.Fprintf(&b, "Use this page when **%s** reports *%s*. Check the [overview](/) first and the [neighbouring runbook](/area-%02d/runbook-%03d/).\n\n", svc, sym, (i+1)%n%sections, (i+1)%n)
	b.WriteString("| Severity | Respond | Resolve |\n|---|---|---|\n| SEV-1 | < 5 min | < 1 h |\n| SEV-2 | < 15 min | < 4 h |\n| SEV-3 | < 30 min | < 24 h |\n\n")
	for step := range 6 {
		fmt.Fprintf(&b, "## %s %s step %d\n\n", pick(rng, verbs), svc, step+1)
		fmt.Fprintf(&b, "Confirm the symptom, then act. The service should answer within 2 s {probe:%s-live}.\n\n", svc)
		b.WriteString("- [ ] Acknowledge the alert within 5 minutes\n- [ ] Post the incident start message\n- [ ] Check recent deployments\n\n")
		fmt.Fprintf(&b, "```bash probe=%s-live\n", svc)
		for range 4 {
			fmt.Fprintf(&b, pick(rng, commands)+"\n", svc)
		}
		b.WriteString("```\n\n")
		fmt.Fprintf(&b, "### If %s persists\n\n1. Escalate to the **technical lead**.\n2. Capture `docker stats` and `free -h`.\n3. See [the first runbook's status update](/area-00/runbook-000/#status-update).\n\n", sym)
	}
	b.WriteString("## Status update\n\n```template id=update title=\"Status update\"\n📊 UPDATE: {{title}}\n- Status: {{status}}\n- Impact: {{impact}}\n- ETA: {{eta}}\n```\n")
	return b.String()
}
