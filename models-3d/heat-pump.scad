// Heat pump: an air-source outdoor unit (1.5 x 0.75 x 1.3 m at 1:64) on a plinth, lit from inside by a 5 mm
// LED whose brightness is the heat pump's power (pi-zero-table-house.yaml: GPIO 18 PWM). The LED goes in
// from below (flange in the plinth), its leads down through the house plot's heat pump spot. The roof and
// the fan window are 2-perimeter diffusers: print in white or natural.
include <common.scad>

body_wall = 1.2;
fan_d = hp_body[2] * 0.7;
fan_depth = body_wall - thin_wall; // recess on the outside leaves thin_wall to glow through
body_at = [(hp_plinth[0] - hp_body[0]) / 2, hp_plinth[1] - 2 - hp_body[1], 0];

difference() {
  union() {
    cube(hp_plinth);
    translate(body_at) cube(hp_body + [0, 0, hp_plinth[2]]);
  }
  // Light chamber (closed but for the LED bore), roof thin_wall thick.
  translate(body_at + [body_wall, body_wall, hp_plinth[2]])
    cube(hp_body - [2 * body_wall, 2 * body_wall, thin_wall]);
  // Fan window on the front face, with three grille slots.
  translate([body_at[0] + hp_body[0] / 2, body_at[1] - 1, hp_plinth[2] + hp_body[2] / 2]) rotate([-90, 0, 0]) {
      difference() {
        cylinder(d=fan_d, h=1 + fan_depth, $fn=fn_visible);
        for (z = [-fan_d / 4, 0, fan_d / 4]) translate([-fan_d / 2, z - 0.4, -1]) cube([fan_d, 0.8, 3]);
      }
    }
  translate([hp_led_at[0], hp_led_at[1], 0]) led5_socket(z_seat=led5_flange_h, z_top=hp_plinth[2] + 1);
}
