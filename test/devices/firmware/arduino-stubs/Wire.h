#pragma once
#include <Arduino.h>
class TwoWire {
 public:
  bool begin();
  void beginTransmission(int address);
  size_t write(const uint8_t *data, size_t size);
  uint8_t endTransmission();
  uint8_t requestFrom(int address, int size);
  int available();
  int read();
};
extern TwoWire Wire;
