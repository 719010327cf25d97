// Feeder channel: a closed tube for LED strip, one grid unit long, lying in the slot of a street tile or the
// substation. The strip slides in from an end; the thin roof diffuses it, so print in white or natural.
// Variants: -D strip_w=8 | 10 | 12 (mm). The outside is the same for every width.
include <common.scad>

strip_w = 10;
assert(strip_w > 0 && strip_w <= strip_max_w, str("strip_w must be in (0, ", strip_max_w, "] mm"));

floor_t = 1.2;
inner = [strip_w + 2 * clearance, strip_t + 0.4];
length = grid - 2 * clearance; // sections butt end to end along a street

difference() {
  cube([length, channel_outer[0], channel_outer[1]]);
  translate([-1, (channel_outer[0] - inner[0]) / 2, floor_t]) cube([length + 2, inner[0], inner[1]]);
}
