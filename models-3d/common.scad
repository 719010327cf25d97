// GridFlex table: what every printed part shares (scale, printer tolerances, the tile grid, the joints,
// the asset tag pocket and the electronics they hold). Every part does `include <common.scad>`.
//
// Units: millimetres on the table. Parts are modelled in their print orientation (flat side on z = 0).

// ---------------------------------------------------------------------------------------------
// Scale: 1:64 ("matchbox"). Models of real things use at_scale(metres); the street layout itself is
// compressed (a 100 mm tile is 6.4 m, while the real feeder's main is 110 m), so only objects are to scale.
scale_ratio = 64;
function at_scale(real_m) = real_m * 1000 / scale_ratio;

// ---------------------------------------------------------------------------------------------
// Printer (0.4 mm nozzle, 0.2 mm layers, PLA/PETG). Change clearance if joints are too tight or loose.
layer_h = 0.2;
clearance = 0.25; // gap per side between mating parts: joints, pockets, sockets
wall = 1.6; // 4 perimeters
thin_wall = 0.8; // 2 perimeters: light diffusers (print those parts in white or natural)

// Round things: curves that show get more facets; hidden holes stay coarse so rendering stays fast.
fn_visible = 48;
fn_hole = 24;

// ---------------------------------------------------------------------------------------------
// The tile grid. Every base part (street tile, house plot, substation) is a whole number of grid units and
// has dovetail tabs on its east (+x) and north (+y) edges and matching sockets on its west and south edges,
// so any tile joins any other in the same orientation. Joints sit at 1/4 and 3/4 of each grid unit,
// leaving each edge's centre free for the cable channel that crosses it.
grid = 100; // tile pitch, mm (6.4 m at 1:64)
tile_h = 7; // base plate thickness
joint_neck_w = 8; // dovetail width at the tile edge
joint_tip_w = 12; // dovetail width at its tip
joint_len = 6; // how far a tab sticks out
joint_at = [0.25, 0.75]; // joint positions within each grid unit
kerb_h = 1.5; // pavement above the road surface

// Cable channel under the tiles (from below): a 4-wire Dupont lead (I2C: 3V3, GND, SDA, SCL) lies flat in it.
cable_w = 10;
cable_depth = 4;

// ---------------------------------------------------------------------------------------------
// Electronics (hardware/boards/*.yaml).
// NFC reader boards under the house plots' pads, antenna side up: [x, y] as they lie in the plot.
function reader_board(reader) =
  reader == "pn532" ? [43, 41] // PN532 V3 module, I2C (pi-zero-table-house.pinout.yaml)
  : reader == "rc522" ? [40, 60] // MFRC522 module, SPI (esp32-ev-pad.pinout.yaml), header towards -y
  : assert(false, str("reader must be \"pn532\" or \"rc522\", not ", reader));
ldr_d = 5.1; // GL5528 light-dependent resistor head (the boards' pv-light sensor)
nfc_skin = 1.2; // plastic between the reader's antenna and the tag above it
led5_d = 5.0; // 5 mm LED body
led5_flange_d = 5.8;
led5_flange_h = 1.0;
led5_h = 8.6; // flange to dome tip

// LED strip for the feeder (WS2812/SK6812 or plain 12 V strip: 8, 10 or 12 mm wide, up to 3 mm thick).
strip_max_w = 12;
strip_t = 3;
// The feeder channel is a closed tube with a thin diffuser roof; its outside is the same for every strip
// width, so every variant fits the same slot in the tiles.
channel_outer = [strip_max_w + 2 * clearance + 2 * 1.2, thin_wall + strip_t + 0.4 + 1.2]; // [width, height]
channel_y = 10; // channel slot centre, mm in from a street tile's north edge (clear of the joints)

// ---------------------------------------------------------------------------------------------
// NFC tags: every movable asset (EV, PV panel) carries one in a pocket in its underside; the house plot's
// reader sees it through nfc_skin. [pocket diameter, pocket depth]
function tag_pocket(tag) =
  tag == "sticker25" ? [25 + 2 * clearance, 0.6] // 25 mm round NTAG213/215 sticker
  : tag == "coin30" ? [30 + 2 * clearance, 1.4] // 30 mm PVC coin tag, about 1 mm thick
  : assert(false, str("tag must be \"sticker25\" or \"coin30\", not ", tag));

// Tag pocket cut from below at the origin (use inside difference()).
module tag_pocket_cut(tag) {
  p = tag_pocket(tag);
  translate([0, 0, -1]) cylinder(d=p[0], h=p[1] + 1, $fn=fn_visible);
}

// ---------------------------------------------------------------------------------------------
// Dovetail joints.

// 2D tab outline pointing +x from the edge at x = 0 (starts 1 mm inside the tile so the union overlaps).
module dovetail_2d(grow=0) {
  taper = (joint_tip_w - joint_neck_w) / 2 / joint_len; // half-width gained per mm
  offset(delta=grow)
    polygon(
      [
        [-1, -(joint_neck_w / 2 - taper)],
        [joint_len, -joint_tip_w / 2],
        [joint_len, joint_tip_w / 2],
        [-1, joint_neck_w / 2 - taper],
      ]
    );
}

module dovetail_tab(h) {
  linear_extrude(height=h) dovetail_2d();
}

// Socket cut into a west/south edge: the tab grown by the clearance, through the full height.
module dovetail_socket(h) {
  translate([0, 0, -1]) linear_extrude(height=h + 2) dovetail_2d(grow=clearance);
}

// A base plate of units = [nx, ny] grid units with tabs (east, north) and sockets (west, south). Children
// are added on top before the sockets are cut, so the sockets go through whatever stands over them.
module tile_base(units=[1, 1], h=tile_h) {
  size = [units[0] * grid, units[1] * grid];
  socket_h = 100;
  difference() {
    union() {
      cube([size[0], size[1], h]);
      children();
      for (i = [0:units[1] - 1], f = joint_at) translate([size[0], (i + f) * grid, 0]) dovetail_tab(h);
      for (i = [0:units[0] - 1], f = joint_at) translate([(i + f) * grid, size[1], 0]) rotate(90) dovetail_tab(h);
    }
    for (i = [0:units[1] - 1], f = joint_at) translate([0, (i + f) * grid, 0]) dovetail_socket(socket_h);
    for (i = [0:units[0] - 1], f = joint_at) translate([(i + f) * grid, 0, 0]) rotate(90) dovetail_socket(socket_h);
  }
}

// The cable channel cut from below along y at x, from y0 to y1 (extend past an edge to open it).
module cable_channel_y(x, y0, y1, depth=cable_depth) {
  translate([x - cable_w / 2, y0, -1]) cube([cable_w, y1 - y0, depth + 1]);
}
module cable_channel_x(y, x0, x1, depth=cable_depth) {
  translate([x0, y - cable_w / 2, -1]) cube([x1 - x0, cable_w, depth + 1]);
}

// A 5 mm LED pushed up from below: the body through a bore, the flange in a counterbore from below.
// z_seat is where the flange's top sits; the bore continues up to z_top.
module led5_socket(z_seat, z_top) {
  translate([0, 0, -1]) cylinder(d=led5_flange_d + 2 * clearance, h=z_seat + 1, $fn=fn_hole);
  cylinder(d=led5_d + 2 * clearance, h=z_top, $fn=fn_hole);
}

// The feeder channel's slot in a tile's top surface, along x, top at z_top.
module channel_slot(y, length, z_top) {
  translate([-1, y - channel_outer[0] / 2 - clearance, z_top - channel_outer[1]])
    cube([length + 2, channel_outer[0] + 2 * clearance, channel_outer[1] + 1]);
}

// ---------------------------------------------------------------------------------------------
// Heat pump (air-source outdoor unit, about 1.5 x 0.75 x 1.3 m): shared by heat-pump.scad and the house
// plot's heat pump spot, which has the hole for the unit's LED leads.
hp_body = [at_scale(1.5), at_scale(0.75), at_scale(1.3)];
hp_plinth = [hp_body[0] + 6, hp_body[1] + 8, 1.6];
// LED position on the plinth (centre of the unit, which stands at the back of its plinth).
hp_led_at = [hp_plinth[0] / 2, hp_plinth[1] - 2 - hp_body[1] / 2];

// ---------------------------------------------------------------------------------------------
// Where things sit (the tiles cut for them; street-preview.scad and fit-check.scad place them there).
plot_pad_at = [grid / 2, grid / 2]; // NFC pad centre on a house plot
hp_recess = 0.6; // the heat pump spot's depth
hp_spot_at = [grid - 4 - hp_plinth[0], grid - 4 - hp_plinth[1]]; // its corner: north-east, clear of the pad
// A feeder channel in its slot (street tile or substation): centred, standing on the slot's floor.
channel_at = [clearance, grid - channel_y - channel_outer[0] / 2, tile_h + kerb_h - channel_outer[1]];
