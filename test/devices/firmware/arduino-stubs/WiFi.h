#pragma once
#include <Arduino.h>
typedef enum { WIFI_OFF = 0, WIFI_STA = 1 } wifi_mode_t;
class WiFiClass {
 public:
  bool mode(wifi_mode_t mode);
};
extern WiFiClass WiFi;
