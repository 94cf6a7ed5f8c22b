package incident

// Postmortem is what the postmortem template's own fields take from an
// incident: {{summary}} and {{duration}}. {{timeline}}, {{title}} and the
// other shared fields are the incident's fields already.
type Postmortem struct {
	Summary, Duration string
}

// Fill returns the postmortem fields for an incident with fields (severity,
// impact, commander) and state, at now, in the local time offsetMin minutes
// east of UTC. The summary is a Markdown list, like the template's Impact.
func Fill(fields map[string]string, s State, now int64, offsetMin int) Postmortem {
	end, state, ended := s.Ended, "ended", "Ended"
	if end == 0 {
		end, state, ended = now, "ongoing", "Still open at"
	}
	responded := ""
	if s.Acked > 0 {
		responded = Dur(s.Acked - s.Started)
	}
	p := Postmortem{Duration: Dur(end-s.Started) + ", from " + When(s.Started, offsetMin) + " to " + When(end, offsetMin) + " (" + state + ")"}
	kv := []string{"Severity", fields["severity"], "Started", When(s.Started, offsetMin), "Responded in", responded,
		ended, When(end, offsetMin), "Impact", fields["impact"], "Incident commander", fields["commander"]}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] != "" {
			p.Summary = join("\n", p.Summary, "- **"+kv[i]+"**: "+kv[i+1])
		}
	}
	return p
}
