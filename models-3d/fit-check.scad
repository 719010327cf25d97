// Fit check (not a part): two rendered parts placed as they sit on the table, intersected. OpenSCAD reports
// "Current top level object is empty" when they fit together without overlapping (a tab in its socket,
// a channel in its slot, a plinth in its recess). `make fit` runs every fit below:
//   openscad --hardwarnings -D 'fit="street-plot-north"' -o stl/fit/x.stl fit-check.scad
include <common.scad>

fit = "street-street";

// name -> [part a, part b, where b sits relative to a]
fits = [
  ["street-street", "street-tile", "street-tile", [grid, 0, 0]],
  ["street-plot-north", "street-tile", "house-plot-pn532", [0, grid, 0]],
  ["plot-street-south", "house-plot-rc522", "street-tile", [0, grid, 0]],
  ["plot-plot", "house-plot-pn532", "house-plot-rc522", [grid, 0, 0]],
  ["substation-street", "substation", "street-tile", [grid, 0, 0]],
  ["street-channel-8", "street-tile", "feeder-channel-8", channel_at],
  ["street-channel-10", "street-tile", "feeder-channel-10", channel_at],
  ["street-channel-12", "street-tile", "feeder-channel-12", channel_at],
  ["substation-channel-10", "substation", "feeder-channel-10", channel_at],
  ["plot-heat-pump", "house-plot-pn532", "heat-pump", [hp_spot_at[0], hp_spot_at[1], tile_h - hp_recess]],
];
// Test hook: shift b by this much to show that an overlap is reported.
nudge = [0, 0, 0];

found = [for (f = fits) if (f[0] == fit) f];
row = assert(len(found) == 1, str("unknown fit \"", fit, "\"; known: ", [for (f = fits) f[0]])) found[0];
a = row[1];
b = row[2];
b_at = row[3] + nudge;
// Faces that touch by design (tile edges, a part standing on a tile) do not count as overlapping.
gap = 0.001;

intersection() {
  import(str("stl/", a, ".stl"));
  translate(b_at + gap * [sign(b_at[0]), sign(b_at[1]), sign(b_at[2])]) import(str("stl/", b, ".stl"));
}
