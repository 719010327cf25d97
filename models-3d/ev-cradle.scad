// EV cradle: a low tray a matchbox car (about 75 x 30 mm; 1:64) rolls into, with the car's NFC tag in a
// pocket under the floor. Put the cradle on a house plot's pad ring and the plot's reader sees the car.
// Variants: -D tag="sticker25" (25 mm NTAG sticker) | "coin30" (30 mm coin tag); -D car_l=.. car_w=..
include <common.scad>

car_l = 75;
car_w = 30;
tag = "sticker25";

side_gap = 1.0; // matchbox cars vary: a loose fit, not a clamp
floor_t = tag_pocket(tag)[1] + 1.0; // pocket + 1 mm roof (bridged; no supports)
rail = [wall + 0.4, 6]; // side rail thickness, height above the floor
stop_h = 3; // end stop at the front
inner = [car_l + 2 * side_gap, car_w + 2 * side_gap];
outer = [inner[0] + rail[0], inner[1] + 2 * rail[0]];
notch_d = 16; // finger notch in the rails to lift the car out

difference() {
  union() {
    cube([outer[0], outer[1], floor_t]);
    for (y = [0, outer[1] - rail[0]]) cube([outer[0], rail[0], floor_t + rail[1]]);
    translate([inner[0], 0, 0]) cube([rail[0], outer[1], floor_t + stop_h]);
  }
  // Finger notches at mid-length.
  for (y = [-1, outer[1] - rail[0] - 1])
    translate([inner[0] / 2, y, floor_t + notch_d / 2 + 1]) rotate([-90, 0, 0])
        cylinder(d=notch_d, h=rail[0] + 2, $fn=fn_visible);
  // Chamfered entry at the open (west) end so the wheels roll in.
  for (y = [rail[0], outer[1] - rail[0]])
    translate([0, y, floor_t]) rotate([0, 0, 45]) translate([-2, -2, 0]) cube([4, 4, rail[1] + 1]);
  translate([outer[0] / 2, outer[1] / 2, 0]) tag_pocket_cut(tag);
}
