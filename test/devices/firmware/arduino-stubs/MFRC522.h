// The MFRC522 library's (GithubCommunity/miguelbalboa) API as the sketch uses it.
#pragma once
#include <Arduino.h>
class MFRC522 {
 public:
  enum StatusCode : byte { STATUS_OK, STATUS_ERROR, STATUS_TIMEOUT };
  typedef struct {
    byte size;
    byte uidByte[10];
    byte sak;
  } Uid;
  Uid uid;
  MFRC522(byte chipSelectPin, byte resetPowerDownPin);
  void PCD_Init();
  StatusCode PICC_WakeupA(byte *bufferATQA, byte *bufferSize);
  bool PICC_ReadCardSerial();
  StatusCode PICC_HaltA();
};
