package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// bar is one bar of a chart panel.
type bar struct {
	label string
	value float64
	note  string // printed after the value, e.g. "1.00×"
	color string
}

// panel is a titled horizontal bar chart sharing the figure's width.
type panel struct {
	title string
	unit  string
	bars  []bar
}

// Chart colours: this project, its floors, peers.
const (
	colOurs  = "#1f77b4"
	colFloor = "#7f7f7f"
	colPeer  = "#ff7f0e"
	colNode  = "#2ca02c"
	colNat   = "#9467bd"
)

// svgChart draws panels one under another: label column, bar, value text.
// No dependency: it writes the SVG elements itself.
func svgChart(title string, panels []panel) string {
	const (
		width    = 900
		labelW   = 300
		valueW   = 150
		barH     = 22
		gap      = 6
		titleH   = 34
		panelTop = 30
		margin   = 16
	)
	barMax := float64(width - labelW - valueW - 2*margin)
	height := titleH + margin
	for _, p := range panels {
		height += panelTop + len(p.bars)*(barH+gap) + margin
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="13">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", margin, html.EscapeString(title))
	y := titleH + margin
	for _, p := range panels {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>`+"\n", margin, y+16, html.EscapeString(p.title))
		y += panelTop
		max := 0.0
		for _, br := range p.bars {
			if !math.IsNaN(br.value) {
				max = math.Max(max, br.value)
			}
		}
		if max == 0 {
			max = 1
		}
		for _, br := range p.bars {
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelW, y+barH-6, html.EscapeString(br.label))
			w := 0.0
			if !math.IsNaN(br.value) {
				w = math.Max(1, br.value/max*barMax)
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", labelW+8, y, w, barH, br.color)
			val := "not measured"
			if !math.IsNaN(br.value) {
				val = formatValue(br.value) + " " + p.unit
			}
			if br.note != "" {
				val += "  " + br.note
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s</text>`+"\n", float64(labelW+8)+w+6, y+barH-6, html.EscapeString(val))
			y += barH + gap
		}
		y += margin
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func formatValue(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}
