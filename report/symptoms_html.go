package report

// htmlSymptoms is the html view of Symptoms: every string is cleaned with
// oneLine here, and html/template escapes it on the way out.
type htmlSymptoms struct {
	Read        string
	Phones      []htmlPhoneHistory
	More        int
	Unexplained []htmlUnexplained
	Problems    []string
	ProblemsN   int64
}

type htmlPhoneHistory struct {
	Name, Reasons, First, Last, LastSignal, Period, State string
	Drops                                                 int
}

type htmlUnexplained struct {
	Phone, History, Where string
	Checked               []string
	Capture, CaptureWhere string
}

// htmlSymptomsOf builds the "Unregistrations" section; nil without
// syslog.
func htmlSymptomsOf(r *Result) *htmlSymptoms {
	s := r.Symptoms
	if s == nil {
		return nil
	}
	h := &htmlSymptoms{Read: oneLine(s.ReadText()), ProblemsN: s.Read.Malformed}
	for i, p := range s.Phones {
		if i == mdMaxHistories {
			h.More = len(s.Phones) - i
			break
		}
		h.Phones = append(h.Phones, htmlPhoneHistory{
			Name: oneLine(phoneLabel(p)), Drops: p.Drops, Reasons: oneLine(ReasonsText(p)),
			First: formatEventTime(p.First), Last: formatEventTime(p.Last), LastSignal: oneLine(p.LastSignal),
			Period: p.Period.String(), State: oneLine(StateText(p)),
		})
	}
	for _, u := range s.Unexplained {
		cmd, where := captureNext(u)
		h.Unexplained = append(h.Unexplained, htmlUnexplained{
			Phone: oneLine(phoneLabel(u.Phone)), History: oneLine(historyText(u.Phone)), Where: oneLine(placeText(u)),
			Checked: cleanAll(u.Checked), Capture: oneLine(cmd), CaptureWhere: oneLine(where),
		})
	}
	for _, p := range s.Read.Problems {
		h.Problems = append(h.Problems, oneLine(p.String()))
	}
	return h
}
