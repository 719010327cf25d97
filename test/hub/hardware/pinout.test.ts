import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type BoardPinout, checkBoardPinout, parseBoardPinout } from '../../../protocol/board-pinout.js';

const ok = (): BoardPinout => {
  const parsed = parseBoardPinout(parse(readFileSync('test/hub/hardware/fixtures/ok.pinout.yaml', 'utf8')));
  if (parsed.pinout === undefined) throw new Error(JSON.stringify(parsed.findings));
  return parsed.pinout;
};

describe('checkBoardPinout', () => {
  it('finds nothing wrong with the clean fixture', () => {
    expect(checkBoardPinout(ok())).toEqual([]);
  });

  it('catches a pin that cannot do its use, and references to nothing', () => {
    const pinout = ok();
    const pwm = pinout.wiring[2];
    const nfc = pinout.parts[1];
    if (pwm === undefined || nfc === undefined) throw new Error('fixture changed');
    pwm.use = 'pwm';
    pinout.wiring.push({ name: 'ghost', pin: 'GPIO99', use: 'digital-out', to: 'nothing', currentMa: 0 });
    nfc.rail = '12V';
    expect(checkBoardPinout(pinout)).toEqual([
      { path: 'parts.1.rail', problem: 'no rail "12V" (rails: 3V3, 5V)' },
      { path: 'wiring.2.use', problem: 'pin GPIO5 cannot do pwm (it can: digital-out)' },
      { path: 'wiring.5.pin', problem: 'no pin "GPIO99" on a Tiny 3.3 V board' },
    ]);
  });

  it('adds up the parts on each rail against its limit', () => {
    const pinout = ok();
    const rail = pinout.rails[0];
    if (rail === undefined) throw new Error('fixture changed');
    rail.maxMa = 100;
    expect(checkBoardPinout(pinout)).toEqual([
      { path: 'rails.0.maxMa', problem: 'parts on 3V3 draw 151 mA, over its 100 mA' },
    ]);
  });
});

describe('checkBoardPinout on the shipped ESP32 pads', () => {
  it('reports every SPI line into a 3.3 V pin when a reader is moved to the 5V rail', () => {
    const parsed = parseBoardPinout(parse(readFileSync('hardware/boards/esp32-ev-pad.pinout.yaml', 'utf8')));
    const pinout = parsed.pinout;
    const reader = pinout?.parts.find((part) => part.id === 'reader-1');
    if (pinout === undefined || reader === undefined) throw new Error('pinout changed');
    expect(checkBoardPinout(pinout)).toEqual([]);
    reader.rail = '5V';
    const pins = checkBoardPinout(pinout).map((finding) => /into (GPIO\d+)/.exec(finding.problem)?.[1]);
    // SCK, MISO, MOSI and RST are shared by both readers; reader 1's chip select is its own.
    expect(pins).toEqual(['GPIO18', 'GPIO19', 'GPIO23', 'GPIO4', 'GPIO27']);
  });
});
