//go:build ignore

// icons_gen draws the app's two icons: color.png (192×192, the full-colour
// tile) and outline.png (32×32, white on transparent, for the Teams app
// bar). Run with `go generate ./teams`.
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

var (
	accent = color.NRGBA{0x2c, 0x4a, 0x6e, 0xff} // accentColor in manifest.json
	white  = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	green  = color.NRGBA{0x3c, 0xb3, 0x71, 0xff}
)

func main() {
	write("color.png", colorIcon())
	write("outline.png", outlineIcon())
}

// colorIcon is a signed contract: a white page with text lines and a green
// tick on the accent colour, the symbol inside Teams' central safe area.
func colorIcon() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 192, 192))
	fill(img, img.Rect, accent)
	fill(img, image.Rect(60, 44, 132, 148), white)
	for _, y := range []int{64, 80, 96} {
		fill(img, image.Rect(72, y, 120, y+6), accent)
	}
	line(img, 100, 124, 112, 136, 8, green)
	line(img, 112, 136, 140, 106, 8, green)
	return img
}

// outlineIcon is the same contract drawn as a white outline.
func outlineIcon() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	// The page border, two pixels wide.
	fill(img, image.Rect(7, 4, 25, 6), white)
	fill(img, image.Rect(7, 26, 17, 28), white)
	fill(img, image.Rect(7, 4, 9, 28), white)
	fill(img, image.Rect(23, 4, 25, 17), white)
	for _, y := range []int{9, 13} {
		fill(img, image.Rect(11, y, 21, y+2), white)
	}
	line(img, 18.5, 23.5, 21.5, 26.5, 2, white)
	line(img, 21.5, 26.5, 28, 20, 2, white)
	return img
}

func fill(img *image.NRGBA, r image.Rectangle, c color.NRGBA) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetNRGBA(x, y, c)
		}
	}
}

// line paints every pixel whose centre lies within width/2 of the segment
// (x0,y0)–(x1,y1), without anti-aliasing.
func line(img *image.NRGBA, x0, y0, x1, y1, width float64, c color.NRGBA) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if dist(float64(x)+0.5, float64(y)+0.5, x0, y0, x1, y1) <= width/2 {
				img.SetNRGBA(x, y, c)
			}
		}
	}
}

func dist(px, py, x0, y0, x1, y1 float64) float64 {
	dx, dy := x1-x0, y1-y0
	t := ((px-x0)*dx + (py-y0)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(px-(x0+t*dx), py-(y0+t*dy))
}

func write(name string, img image.Image) {
	f, err := os.Create(name)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
