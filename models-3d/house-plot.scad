// House plot: one grid unit that joins a street tile on either side. In the middle, the NFC pad: the reader
// board sits in a pocket underneath, under nfc_skin of plastic, and an engraved ring shows where to put an
// asset (EV cradle, PV holder) so the reader sees its tag. Beside the pad, a column of 5 mm charge-level
// LEDs (pushed in from the top, flange flush), the heat pump's spot with a hole for its LED leads, and a
// hole for the light sensor (LDR, head flush with the top). Underneath, the cable channel runs the full
// depth (out to whichever side the street is) and branches to the LEDs, the heat pump spot and the LDR.
// Variants: -D reader="pn532" | "rc522" (the reader board's pocket).
include <common.scad>

reader = "pn532";

pad_at = plot_pad_at;
pad_ring_d = 38; // engraved ring around the pad
leds = 5; // charge LEDs (pi-zero-table-house.yaml: 5; esp32-ev-pad.yaml uses the lower 4)
led_x = 14;
led_pitch = 10;
hp_at = hp_spot_at;
hp_led = hp_at + hp_led_at;
reader_pocket = [reader_board(reader)[0] + 2 * clearance, reader_board(reader)[1] + 2 * clearance, tile_h - nfc_skin];
ldr_at = [grid - 14, 20];

difference() {
  tile_base();
  // NFC reader pocket from below, centred under the pad.
  translate([pad_at[0] - reader_pocket[0] / 2, pad_at[1] - reader_pocket[1] / 2, -1])
    cube(reader_pocket + [0, 0, 1]);
  // Pad ring, 0.4 mm deep.
  translate([pad_at[0], pad_at[1], tile_h - 0.4]) difference() {
      cylinder(d=pad_ring_d, h=1, $fn=fn_visible);
      translate([0, 0, -1]) cylinder(d=pad_ring_d - 2, h=3, $fn=fn_visible);
    }
  // Cable channel: full depth under the pad, branches to the LED column and the heat pump spot.
  cable_channel_y(pad_at[0], -1, grid + 1);
  cable_channel_y(led_x, pad_at[1] - (leds - 1) * led_pitch / 2 - 5, pad_at[1] + (leds - 1) * led_pitch / 2 + 5);
  cable_channel_x(pad_at[1], led_x, pad_at[0]);
  cable_channel_x(hp_led[1], pad_at[0], hp_led[0]);
  cable_channel_x(ldr_at[1], pad_at[0], ldr_at[0]);
  // Charge LEDs: bore through, counterbore for the flange at the top.
  for (i = [0:leds - 1]) translate([led_x, pad_at[1] + (i - (leds - 1) / 2) * led_pitch, 0]) {
      translate([0, 0, -1]) cylinder(d=led5_d + 2 * clearance, h=tile_h + 2, $fn=fn_hole);
      translate([0, 0, tile_h - led5_flange_h]) cylinder(d=led5_flange_d + 2 * clearance, h=2, $fn=fn_hole);
    }
  // Heat pump spot: a shallow recess the plinth drops into, and a hole for the LED's leads.
  translate([hp_at[0] - clearance, hp_at[1] - clearance, tile_h - hp_recess])
    cube([hp_plinth[0] + 2 * clearance, hp_plinth[1] + 2 * clearance, 1]);
  translate([hp_led[0], hp_led[1], -1]) cylinder(d=5, h=tile_h + 2, $fn=fn_hole);
  // Light sensor: pushed up from below until its head is flush with the top.
  translate([ldr_at[0], ldr_at[1], -1]) cylinder(d=ldr_d + 2 * clearance, h=tile_h + 2, $fn=fn_hole);
}
