package devsim

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// provenanceGaps lists the constants and variables of a Go source whose
// comment neither names a source ("Source:") nor says that none was found
// ("No public source:"). A declaration in a group may lean on the group's
// comment.
func provenanceGaps(t *testing.T, name string, src []byte) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	cited := func(groups ...*ast.CommentGroup) bool {
		for _, g := range groups {
			if g == nil {
				continue
			}
			if s := g.Text(); strings.Contains(s, "Source:") || strings.Contains(s, "No public source:") {
				return true
			}
		}
		return false
	}
	var gaps []string
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST && gd.Tok != token.VAR {
			continue
		}
		for _, sp := range gd.Specs {
			vs := sp.(*ast.ValueSpec)
			if cited(gd.Doc, vs.Doc, vs.Comment) {
				continue
			}
			for _, n := range vs.Names {
				gaps = append(gaps, n.Name)
			}
		}
	}
	return gaps
}

// TestShapeProvenance: every shape in shapes.go says which public
// transcript or document it follows, or that none was found.
func TestShapeProvenance(t *testing.T) {
	src, err := os.ReadFile("shapes.go")
	if err != nil {
		t.Fatal(err)
	}
	if gaps := provenanceGaps(t, "shapes.go", src); len(gaps) > 0 {
		t.Errorf("shapes.go declares %v without a \"Source:\" or \"No public source:\" comment", gaps)
	}
	// The check itself catches a shape without one.
	bad := []byte("package p\n\n// Source: x.\nconst a = \"a\"\n\n// The b prompt.\nconst b = \"b\"\n\nconst (\n\t// No public source: ours.\n\tc = \"c\"\n\td = \"d\"\n)\n")
	if gaps := provenanceGaps(t, "bad.go", bad); strings.Join(gaps, ",") != "b,d" {
		t.Errorf("gaps in the bad source = %v, want [b d]", gaps)
	}
}

// TestShapesStayInShapesGo: no other file of the package spells out one
// of the shapes (ten characters or more) as a literal of its own, where
// it would escape the provenance check.
func TestShapesStayInShapesGo(t *testing.T) {
	fset := token.NewFileSet()
	shapes, err := parser.ParseFile(fset, "shapes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	ast.Inspect(shapes, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil && len(strings.TrimSpace(s)) >= 10 {
				texts = append(texts, s)
			}
		}
		return true
	})
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if name == "shapes.go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, shape := range texts {
				if strings.Contains(s, strings.TrimSpace(shape)) {
					t.Errorf("%s: literal %q repeats the shape %q of shapes.go", fset.Position(lit.Pos()), s, shape)
				}
			}
			return true
		})
	}
}
