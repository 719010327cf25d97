// GridFlex line-JSON firmware for an ESP32 DevKitC: the board side of the device agent's serial-json
// backend (docs/devices.md). Wiring: hardware/boards/esp32-ev-pad.pinout.yaml (and its .wiring.svg).
// Flash with the Arduino IDE 2 or arduino-cli (docs/makers-guide.md):
//   board "ESP32 Dev Module" (esp32 by Espressif, 3.x), library "MFRC522" (by GithubCommunity), 115200 baud.
// The protocol itself is in gridflex_protocol.h; the tests run that file against the agent's driver.
#include <SPI.h>
#include <WiFi.h>
#include <Wire.h>
#include <MFRC522.h>

#include "gridflex_protocol.h"

// Must match the pinout's wiring: reader-0-cs, reader-1-cs, readers-reset and the VSPI bus
// (test/devices/firmware.test.ts checks them against esp32-ev-pad.pinout.yaml).
const uint8_t READER_CS_PINS[] = {5, 4};
const uint8_t READER_RESET_PIN = 27;
const uint8_t SPI_SCK_PIN = 18;
const uint8_t SPI_MISO_PIN = 19;
const uint8_t SPI_MOSI_PIN = 23;
const size_t READER_COUNT = sizeof(READER_CS_PINS) / sizeof(READER_CS_PINS[0]);

MFRC522 readers[READER_COUNT] = {
    MFRC522(READER_CS_PINS[0], READER_RESET_PIN),
    MFRC522(READER_CS_PINS[1], READER_RESET_PIN),
};

class Esp32Hal : public gridflex::Hal {
 public:
  const char *boardName() override { return "esp32-devkitc"; }

  std::string setMode(const std::string &pin, const std::string &mode, int count) override {
    int gpio = gpioOf(pin);
    if (gpio < 0) return "no pin " + pin;
    if (mode == "output") {
      pinMode(gpio, OUTPUT);
    } else if (mode == "pwm") {
      // LEDC: 5 kHz, 10-bit duty (arduino-esp32 3.x API).
      if (!ledcAttach(gpio, 5000, 10)) return "no PWM channel left for pin " + pin;
    } else if (mode == "analog") {
      if (digitalPinToAnalogChannel(gpio) < 0) return "pin " + pin + " has no ADC";
      analogReadResolution(12);
    } else {
      return "neopixel is not built into this sketch";  // add Adafruit_NeoPixel if a board needs it
    }
    (void)count;
    return "";
  }

  std::string write(const std::string &pin, int value) override {
    int gpio = gpioOf(pin);
    if (gpio < 0) return "no pin " + pin;
    digitalWrite(gpio, value ? HIGH : LOW);
    return "";
  }

  std::string pwm(const std::string &pin, double duty) override {
    int gpio = gpioOf(pin);
    if (gpio < 0) return "no pin " + pin;
    ledcWrite(gpio, static_cast<uint32_t>(duty * 1023.0 + 0.5));
    return "";
  }

  std::string read(const std::string &pin, double &fraction) override {
    int gpio = gpioOf(pin);
    if (gpio < 0) return "no pin " + pin;
    // analogReadMilliVolts uses the chip's calibration; full scale is 3.3 V at 11 dB attenuation.
    fraction = analogReadMilliVolts(gpio) / 3300.0;
    if (fraction > 1) fraction = 1;
    return "";
  }

  std::string pixels(const std::string &pin, const std::vector<uint32_t> &) override {
    return "neopixel is not built into this sketch (pin " + pin + ")";
  }

  std::string nfc(int reader, std::string &uid) override {
    if (reader < 0 || reader >= static_cast<int>(READER_COUNT)) return "no reader " + std::to_string(reader);
    MFRC522 &r = readers[reader];
    uid.clear();
    // A tag that stays on the pad must keep being seen: wake it (WUPA) as well as new ones (REQA).
    byte atqa[2];
    byte size = sizeof(atqa);
    if (r.PICC_WakeupA(atqa, &size) != MFRC522::STATUS_OK) return "";
    if (!r.PICC_ReadCardSerial()) return "";
    static const char digits[] = "0123456789ABCDEF";
    for (byte i = 0; i < r.uid.size; i++) {
      uid += digits[r.uid.uidByte[i] >> 4];
      uid += digits[r.uid.uidByte[i] & 15];
    }
    r.PICC_HaltA();
    return "";
  }

  std::string i2cWrite(int address, const std::vector<uint8_t> &data) override {
    Wire.beginTransmission(address);
    Wire.write(data.data(), data.size());
    return Wire.endTransmission() == 0 ? "" : "no ACK from I2C address " + std::to_string(address);
  }

  std::string i2cRead(int address, int length, std::vector<uint8_t> &data) override {
    if (Wire.requestFrom(address, length) != length) return "short read from I2C address " + std::to_string(address);
    while (Wire.available()) data.push_back(Wire.read());
    return "";
  }

 private:
  // The DevKitC's header GPIOs: 6-11 drive the flash; 20, 24 and 28-31 do not exist.
  static bool isHeaderGpio(long gpio) {
    return gpio >= 0 && gpio <= 39 && !(gpio >= 6 && gpio <= 11) && gpio != 20 && gpio != 24 &&
           !(gpio >= 28 && gpio <= 31);
  }

  // "16" → GPIO 16; "A0" → the core's A0 (GPIO 36 on an ESP32).
  static int gpioOf(const std::string &pin) {
    static const int analog[] = {A0, A3, A4, A5, A6, A7};
    static const char *names[] = {"A0", "A3", "A4", "A5", "A6", "A7"};
    for (size_t i = 0; i < sizeof(analog) / sizeof(analog[0]); i++)
      if (pin == names[i]) return analog[i];
    char *end = nullptr;
    long gpio = std::strtol(pin.c_str(), &end, 10);
    if (end == pin.c_str() || *end != '\0' || !isHeaderGpio(gpio)) return -1;
    return static_cast<int>(gpio);
  }
};

Esp32Hal hal;
std::string line;

void setup() {
  WiFi.mode(WIFI_OFF);  // keeps the board near 50 mA: the USB power budget in hardware/SAFETY.md counts on it
  btStop();
  Serial.begin(115200);
  SPI.begin(SPI_SCK_PIN, SPI_MISO_PIN, SPI_MOSI_PIN);
  for (MFRC522 &reader : readers) reader.PCD_Init();
  Wire.begin();
  Serial.println("GridFlex line-JSON firmware, protocol 1");  // chatter: the host ignores non-JSON lines
}

void loop() {
  while (Serial.available() > 0) {
    char c = static_cast<char>(Serial.read());
    if (c != '\n') {
      if (line.size() < 2048) line += c;
      continue;
    }
    std::string answer = gridflex::handleLine(line, hal);
    line.clear();
    if (!answer.empty()) Serial.println(answer.c_str());
  }
}
