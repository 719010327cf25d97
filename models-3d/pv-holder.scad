// PV panel holder: a tilted tray for a mini solar cell on a stand, with the asset's NFC tag under its foot.
// The cell drops into a pocket (finger notch at the low edge to lift it out); its leads leave through a notch
// at the high edge. Variants: -D cell_w=53 -D cell_h=30 (also 60 x 60, 80 x 55); cell_w runs along the
// low edge. -D tilt=30 (degrees), -D tag="sticker25" | "coin30".
include <common.scad>

cell_w = 53;
cell_h = 30;
cell_t = 3; // epoxy mini cells are 2.5-3 mm
tilt = 30;
tag = "sticker25";
assert(cell_w >= 20 && cell_h >= 20, "cell_w and cell_h are the cell's size in mm (at least 20)");
assert(tilt >= 0 && tilt <= 60, "tilt is in degrees, 0..60");

lip = 2; // frame around the cell
tray_floor = 1.2;
tray = [cell_w + 2 * clearance + 2 * lip, cell_h + 2 * clearance + 2 * lip, tray_floor + cell_t];
foot_t = tag_pocket(tag)[1] + 1.0;
foot_margin = 3;
// The tray's footprint once tilted, and the foot around it (at least big enough for the tag).
tray_run = tray[1] * cos(tilt) + tray[2] * sin(tilt);
foot = [max(tray[0], tag_pocket(tag)[0] + 2 * wall) + 2 * foot_margin, max(tray_run, tag_pocket(tag)[0] + 2 * wall) + 2 * foot_margin];
tray_at = [(foot[0] - tray[0]) / 2, (foot[1] - tray_run) / 2 + tray[2] * sin(tilt), foot_t];

module tilted() {
  translate(tray_at) rotate([tilt, 0, 0]) children();
}

difference() {
  union() {
    cube([foot[0], foot[1], foot_t]);
    // The tray and a solid wedge under it down to the foot (the slicer's infill keeps it light).
    hull() {
      tilted() cube(tray);
      translate([tray_at[0], tray_at[1] - tray[2] * sin(tilt), 0]) cube([tray[0], tray_run, foot_t]);
    }
  }
  tilted() {
    translate([lip, lip, tray_floor]) cube([cell_w + 2 * clearance, cell_h + 2 * clearance, cell_t + 1]);
    // Finger notch in the low lip; lead notch in the high lip.
    translate([tray[0] / 2, lip + 1, tray_floor]) cylinder(d=12, h=cell_t + 1, $fn=fn_visible);
    translate([tray[0] / 2 - 5, tray[1] - lip - 1, tray_floor]) cube([10, lip + 2, cell_t + 1]);
  }
  translate([foot[0] / 2, foot[1] / 2, 0]) tag_pocket_cut(tag);
}
