// Street tile: one grid unit of road with a pavement on each side. The north pavement has the slot for the
// feeder channel (LED strip); the cable channel crosses underneath at mid-tile and opens into that slot so
// the strip's wires and the plots' leads can meet. Tiles join east-west to each other and north-south to
// house plots (dovetails, see common.scad).
include <common.scad>

road_w = 60; // 3.8 m at 1:64: a narrow residential street
pavement_w = (grid - road_w) / 2;
dash = [30, 1.6, 0.4]; // engraved centre-line dash (paint it)

difference() {
  tile_base() {
    for (y = [0, grid - pavement_w]) translate([0, y, 0]) cube([grid, pavement_w, tile_h + kerb_h]);
  }
  channel_slot(grid - channel_y, grid, tile_h + kerb_h);
  cable_channel_y(grid / 2, -1, grid + 1);
  for (x = [10, 60]) translate([x, grid / 2 - dash[1] / 2, tile_h - dash[2]]) cube([dash[0], dash[1], 1]);
}
