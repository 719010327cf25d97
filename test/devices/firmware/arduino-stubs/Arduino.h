// Declarations of the arduino-esp32 3.x API the GridFlex sketch uses, so the tests can type-check the
// sketch with g++ (-fsyntax-only). Signatures as in arduino-esp32 3.x; nothing here runs.
#pragma once
#include <cstddef>
#include <cstdint>
typedef uint8_t byte;
#define HIGH 0x1
#define LOW 0x0
#define OUTPUT 0x03
static const uint8_t A0 = 36, A3 = 39, A4 = 32, A5 = 33, A6 = 34, A7 = 35;
void pinMode(uint8_t pin, uint8_t mode);
void digitalWrite(uint8_t pin, uint8_t val);
bool ledcAttach(uint8_t pin, uint32_t freq, uint8_t resolution);
bool ledcWrite(uint8_t pin, uint32_t duty);
void analogReadResolution(uint8_t bits);
uint32_t analogReadMilliVolts(uint8_t pin);
int8_t digitalPinToAnalogChannel(uint8_t pin);
bool btStop();
class HardwareSerial {
 public:
  void begin(unsigned long baud);
  int available();
  int read();
  size_t println(const char *text);
};
extern HardwareSerial Serial;
