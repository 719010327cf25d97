// Home battery: a wall-mounted battery unit (1.2 x 0.4 x 1.1 m at 1:64) standing on a base that carries the
// asset's NFC tag, so the battery can be moved from plot to plot like the EVs and PV panels (battery-1 in
// scenarios/table-map.yaml). Its charge level shows on the plot's charge LEDs; the four grooves on its
// front are the same 25/50/75/100 % marks. Variants: -D tag="sticker25" | "coin30".
include <common.scad>

tag = "sticker25";

unit = [at_scale(1.2), at_scale(0.4), at_scale(1.1)];
base_t = tag_pocket(tag)[1] + 1.0;
base = [tag_pocket(tag)[0] + 2 * wall + 2, tag_pocket(tag)[0] + 2 * wall + 2];
unit_at = [(base[0] - unit[0]) / 2, base[1] - unit[1] - 3, base_t];
groove = [unit[0] - 4, 0.8, 0.4]; // charge marks on the front face

difference() {
  union() {
    cube([base[0], base[1], base_t]);
    translate(unit_at - [0, 0, 0.01]) cube(unit);
  }
  for (i = [1:4]) translate([unit_at[0] + 2, unit_at[1] - 1 + groove[2], base_t + i * unit[2] / 5])
      cube([groove[0], 1, groove[1]]);
  translate([base[0] / 2, base[1] / 2, 0]) tag_pocket_cut(tag);
}
