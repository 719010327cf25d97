// Preview (not a part): the 8-home table street of scenarios/table-map.yaml laid out from the rendered STLs,
// with the assets where the demo puts them. Rendered by `make previews` to stl/previews/street.png.
// Homes 1, 3, 5, 7 are north of the street, 2, 4, 6, 8 south; each street tile is one pole (two homes).
include <common.scad>

pad = plot_pad_at;
hp_spot = [hp_spot_at[0], hp_spot_at[1], tile_h - hp_recess];

function plot_origin(home) = [100 * ceil(home / 2), home % 2 == 1 ? 2 * grid : 0, 0];

module part(name, c) {
  color(c) import(str("stl/", name, ".stl"));
}
// A stand-in for a matchbox car (not printed).
module car() {
  color("Crimson") translate([2, 4, 3.4]) hull() {
        cube([75, 30, 10]);
        translate([15, 3, 0]) cube([35, 24, 20]);
      }
}

translate([0, grid, 0]) {
  part("substation", "Gainsboro");
  translate(channel_at) part("feeder-channel-10", "LightYellow");
}
for (i = [1:4]) translate([100 * i, grid, 0]) {
    part("street-tile", "DimGray");
    translate(channel_at) part("feeder-channel-10", "LightYellow");
  }
// Plots 4 and 5 are read by the ESP32 pad board's MFRC522 readers, the others by PN532 modules.
for (home = [1:8]) translate(plot_origin(home)) part(home == 4 || home == 5 ? "house-plot-rc522" : "house-plot-pn532", "YellowGreen");

// Assets as in table-map.yaml: PV on plots 1 and 4, EVs on 3 and 7, the heat pump on 2, the battery on 5.
for (home = [1, 4]) translate(plot_origin(home) + [pad[0] - 31.75, pad[1] - 19, tile_h]) part("pv-holder-53x30", "RoyalBlue");
for (home = [3, 7]) translate(plot_origin(home) + [pad[0] - 39.5, pad[1] - 18, tile_h]) {
    part("ev-cradle-sticker25", "Orange");
    car();
  }
translate(plot_origin(2) + hp_spot) part("heat-pump", "White");
translate(plot_origin(5) + [pad[0] - 15.35, pad[1] - 15.35, tile_h]) part("battery", "LightSlateGray");
