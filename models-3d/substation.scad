// Substation: one grid unit at the head of the street with the feeder's transformer as a package substation
// kiosk (3 x 2.5 x 2.3 m at 1:64) inside a palisade fence. The kiosk is hollow and lit by a 5 mm LED from
// below (transformer loading); its roof is a diffuser, so print in white or natural (or paint the walls).
// The north pavement carries the feeder channel slot in line with the street tiles' slots, and a cable
// channel runs from the LED to the slot and out of the north edge.
include <common.scad>

kiosk = [at_scale(3.0), at_scale(2.5), at_scale(2.3)];
kiosk_at = [30, 16];
kiosk_wall = 1.6;
pavement_w = 20;
fence_h = at_scale(1.8);
fence_t = 1.2;
fence = [[8, 8], [96, 74]]; // compound corners
gate_w = 24; // gap in the fence's north side
led_at = kiosk_at + [kiosk[0] / 2, kiosk[1] / 2];

// Palisade fence: pales between a bottom and a top rail, with a gate gap on the north side.
pale_pitch = 3;
pale_gap = 1.6;
rail_h = 2;
module fence_run(from, length, along_x) {
  size = along_x ? [length, fence_t] : [fence_t, length];
  translate([from[0], from[1], tile_h - 0.01]) difference() {
      cube([size[0], size[1], fence_h]);
      for (s = [pale_pitch:pale_pitch:length - pale_pitch])
        translate(along_x ? [s, -1, rail_h] : [-1, s, rail_h])
          cube(along_x ? [pale_gap, fence_t + 2, fence_h - 2 * rail_h] : [fence_t + 2, pale_gap, fence_h - 2 * rail_h]);
    }
}
module fence() {
  x0 = fence[0][0];
  y0 = fence[0][1];
  x1 = fence[1][0];
  y1 = fence[1][1];
  gate_x = (x0 + x1 - gate_w) / 2;
  fence_run([x0, y0], x1 - x0, true);
  fence_run([x0, y0], y1 - y0, false);
  fence_run([x1 - fence_t, y0], y1 - y0, false);
  fence_run([x0, y1 - fence_t], gate_x - x0, true);
  fence_run([gate_x + gate_w, y1 - fence_t], x1 - gate_x - gate_w, true);
}

difference() {
  tile_base() {
    translate([0, grid - pavement_w, 0]) cube([grid, pavement_w, tile_h + kerb_h]);
    translate([kiosk_at[0], kiosk_at[1], tile_h - 0.01]) cube(kiosk);
    fence();
  }
  channel_slot(grid - channel_y, grid, tile_h + kerb_h);
  // Kiosk interior (roof thin_wall thick) and its doors (engraved on the north face).
  translate([kiosk_at[0] + kiosk_wall, kiosk_at[1] + kiosk_wall, tile_h])
    cube([kiosk[0] - 2 * kiosk_wall, kiosk[1] - 2 * kiosk_wall, kiosk[2] - thin_wall]);
  for (dx = [0.1, 0.55]) translate([kiosk_at[0] + dx * kiosk[0], kiosk_at[1] + kiosk[1] - 0.4, tile_h + 2])
      cube([0.35 * kiosk[0], 1, kiosk[2] * 0.75]);
  translate([led_at[0], led_at[1], 0]) led5_socket(z_seat=cable_depth + led5_flange_h, z_top=tile_h + 1);
  cable_channel_y(led_at[0], led_at[1], grid + 1);
}
