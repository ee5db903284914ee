package collectors

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"github.com/kaudit/kaudit/facts"
)

// Reader returns the saved or live output of one command key. It returns an
// error wrapping fs.ErrNotExist when the output is not there.
type Reader func(key string) ([]byte, error)

// Apply runs every command's parser over the output read for it and records
// on d what was read, what was missing and what failed to parse. One bad
// output never stops the others. The status is failed when nothing could
// be read at all.
func Apply(d *facts.Device, cmds []Command, read Reader) {
	for _, c := range cmds {
		data, err := read(c.Key)
		Add(d, c, data, err)
	}
	Finish(d)
}

// Add is one step of Apply: it records the output of c (or the error
// reading it) on d and parses it. A live collector adds each output as it
// arrives, so that no device holds all its outputs at once; Finish sets
// the status once every command was added.
func Add(d *facts.Device, c Command, data []byte, err error) {
	if errors.Is(err, fs.ErrNotExist) {
		if !c.Optional {
			d.Missing = append(d.Missing, c.Key)
		}
		return
	}
	if err != nil {
		d.Errors = append(d.Errors, &facts.ParseError{Host: d.Name, Key: c.Key, Msg: err.Error()})
		return
	}
	if c.Optional && Rejected(data) {
		// e.g. show power inline on a switch without PoE: the fact
		// does not exist there, which is not an error.
		return
	}
	d.Keys = append(d.Keys, c.Key)
	if err := ParseOne(c, data, d); err != nil {
		d.Errors = append(d.Errors, err)
	}
}

// Finish sorts what Add recorded, packs the attribute lists (see
// facts.Device.PackSources) and sets d's status.
func Finish(d *facts.Device) {
	sort.Strings(d.Keys)
	d.PackSources()
	d.Status = facts.StatusOK
	switch {
	case len(d.Keys) == 0 || len(d.Keys) == len(d.Errors) && len(d.Errors) > 0:
		d.Status = facts.StatusFailed
		if d.Error == "" {
			if len(d.Errors) > 0 {
				d.Error = d.Errors[0].Error()
			} else {
				d.Error = "no command output found"
			}
		}
	case len(d.Errors) > 0:
		d.Status = facts.StatusPartial
	}
}

// ParseOne checks that data is text and runs c's parser on it, turning a
// panic in a parser into an error so one hostile output cannot stop an
// audit. The error names the device, the key and, where known, the line.
func ParseOne(c Command, data []byte, d *facts.Device) (perr *facts.ParseError) {
	defer func() {
		if p := recover(); p != nil {
			perr = &facts.ParseError{Host: d.Name, Key: c.Key, Msg: fmt.Sprintf("parser failed: %v", p)}
		}
	}()
	err := facts.CheckText(c.Key, data)
	if err == nil {
		err = c.Parse(data, d)
	}
	if err == nil {
		return nil
	}
	var pe *facts.ParseError
	if errors.As(err, &pe) {
		out := *pe
		out.Host = d.Name
		if out.Key == "" {
			out.Key = c.Key
		}
		return &out
	}
	return &facts.ParseError{Host: d.Name, Key: c.Key, Msg: err.Error()}
}

// Rejected reports whether output is only the device refusing the command
// (IOS/ASA "% Invalid input detected", "% Incomplete command", CUCM
// "Executed command unsuccessfully" in its first lines).
func Rejected(data []byte) bool {
	head := data
	if len(head) > 512 {
		head = head[:512]
	}
	for _, marker := range []string{"% Invalid input detected", "% Incomplete command", "% Ambiguous command", "Executed command unsuccessfully", "Invalid command"} {
		if bytes.Contains(head, []byte(marker)) {
			return true
		}
	}
	return false
}
