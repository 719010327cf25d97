// Runs the firmware's protocol core (hardware/firmware/gridflex-serial-json/gridflex_protocol.h) on a PC:
// requests on stdin, answers on stdout, like the ESP32's USB serial. The board is simulated: lines
// starting with "#" set it up ("#tag <reader> <uid>", "#untag <reader>", "#analog <pin> <0-1>"), and
// every output the firmware drives is reported on stderr ("write 16 1", "pwm 18 0.5", "mode 16 output").
#include <iostream>
#include <set>
#include <sstream>

#include "../../../hardware/firmware/gridflex-serial-json/gridflex_protocol.h"

class HostHal : public gridflex::Hal {
 public:
  std::map<int, std::string> tags;
  std::map<std::string, double> analog;
  std::set<std::string> outputs;
  std::set<std::string> pwms;

  const char *boardName() override { return "host-sim"; }
  std::string setMode(const std::string &pin, const std::string &mode, int count) override {
    std::cerr << "mode " << pin << " " << mode << (count ? " " + std::to_string(count) : "") << std::endl;
    if (mode == "output") outputs.insert(pin);
    if (mode == "pwm") pwms.insert(pin);
    if (mode == "analog" && !analog.count(pin)) return "pin " + pin + " has no ADC";
    return "";
  }
  std::string write(const std::string &pin, int value) override {
    if (!outputs.count(pin)) return "pin " + pin + " is not an output";
    std::cerr << "write " << pin << " " << value << std::endl;
    return "";
  }
  std::string pwm(const std::string &pin, double duty) override {
    if (!pwms.count(pin)) return "pin " + pin + " is not a PWM output";
    std::cerr << "pwm " << pin << " " << duty << std::endl;
    return "";
  }
  std::string read(const std::string &pin, double &fraction) override {
    if (!analog.count(pin)) return "pin " + pin + " has no ADC";
    fraction = analog[pin];
    return "";
  }
  std::string pixels(const std::string &pin, const std::vector<uint32_t> &colours) override {
    std::cerr << "pixels " << pin << " " << colours.size() << std::endl;
    return "";
  }
  std::string nfc(int reader, std::string &uid) override {
    if (reader < 0 || reader > 1) return "no reader " + std::to_string(reader);
    uid = tags.count(reader) ? tags[reader] : "";
    return "";
  }
  std::string i2cWrite(int address, const std::vector<uint8_t> &) override {
    return "no ACK from I2C address " + std::to_string(address);
  }
  std::string i2cRead(int address, int, std::vector<uint8_t> &) override {
    return "no ACK from I2C address " + std::to_string(address);
  }
};

int main() {
  HostHal hal;
  std::cout << "GridFlex line-JSON firmware, protocol 1 (host)" << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line[0] == '#') {
      std::istringstream in(line.substr(1));
      std::string what, pin;
      in >> what;
      if (what == "tag") {
        int reader;
        std::string uid;
        in >> reader >> uid;
        hal.tags[reader] = uid;
      } else if (what == "untag") {
        int reader;
        in >> reader;
        hal.tags.erase(reader);
      } else if (what == "analog") {
        double value;
        in >> pin >> value;
        hal.analog[pin] = value;
      }
      std::cerr << "sim " << what << std::endl;
      continue;
    }
    std::string answer = gridflex::handleLine(line, hal);
    if (!answer.empty()) std::cout << answer << "\r" << std::endl;  // Serial.println ends with \r\n
  }
  return 0;
}
