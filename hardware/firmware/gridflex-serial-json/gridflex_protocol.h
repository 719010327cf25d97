// GridFlex line-JSON protocol, version 1 (docs/devices.md, "Line-JSON serial protocol"): the part of
// the firmware that does not touch hardware. One JSON object per line each way; every request carries
// an "id" that the answer repeats. Hardware goes through the Hal below, which the sketch implements
// for the ESP32 and test/devices/firmware/host-main.cpp implements on a PC, so the same code is what
// the tests run against the device agent's real serial-json driver.
//
// Needs C++17 and the standard library (ESP32, RP2040); not for AVR boards (use Firmata there).
#pragma once

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace gridflex {

constexpr int PROTOCOL_VERSION = 1;

// What the protocol needs from the board. Each call returns "" when done, or an error text.
// Pins arrive as the host sends them: a number ("16") or an analog name ("A0").
struct Hal {
  virtual ~Hal() = default;
  virtual const char *boardName() = 0;
  virtual std::string setMode(const std::string &pin, const std::string &mode, int count) = 0;
  virtual std::string write(const std::string &pin, int value) = 0;
  virtual std::string pwm(const std::string &pin, double duty) = 0;
  virtual std::string read(const std::string &pin, double &fraction) = 0;
  virtual std::string pixels(const std::string &pin, const std::vector<uint32_t> &colours) = 0;
  // uid: upper-case hex, or "" when no tag is on the reader.
  virtual std::string nfc(int reader, std::string &uid) = 0;
  virtual std::string i2cWrite(int address, const std::vector<uint8_t> &data) = 0;
  virtual std::string i2cRead(int address, int length, std::vector<uint8_t> &data) = 0;
};

// A JSON value as far as version 1 needs: numbers, strings, booleans, null, arrays of strings.
struct Value {
  enum Kind { Missing, Null, Bool, Number, String, Strings } kind = Missing;
  double number = 0;
  std::string text;
  std::vector<std::string> strings;
};

using Request = std::map<std::string, Value>;

// Parses one flat JSON object; false when the line is not one (boot chatter, noise).
class Parser {
 public:
  explicit Parser(const std::string &text) : s_(text) {}

  bool object(Request &out) {
    space();
    if (!eat('{')) return false;
    space();
    if (eat('}')) return end();
    for (;;) {
      std::string key;
      space();
      if (!string(key)) return false;
      space();
      if (!eat(':')) return false;
      space();
      Value value;
      if (!parseValue(value)) return false;
      out[key] = value;
      space();
      if (eat(',')) continue;
      if (eat('}')) return end();
      return false;
    }
  }

 private:
  const std::string &s_;
  size_t i_ = 0;

  bool end() {
    space();
    return i_ == s_.size();
  }
  void space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r')) i_++;
  }
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      i_++;
      return true;
    }
    return false;
  }
  bool word(const char *w) {
    size_t n = std::char_traits<char>::length(w);
    if (s_.compare(i_, n, w) != 0) return false;
    i_ += n;
    return true;
  }
  bool string(std::string &out) {
    if (!eat('"')) return false;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (i_ >= s_.size()) return false;
        char e = s_[i_++];
        // \uXXXX never occurs in version 1 requests; keep the text as it is.
        out += (e == 'n') ? '\n' : (e == 't') ? '\t' : e;
      } else {
        out += c;
      }
    }
    return false;
  }
  bool parseValue(Value &v) {
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '"') {
      v.kind = Value::String;
      return string(v.text);
    }
    if (c == '[') {
      i_++;
      v.kind = Value::Strings;
      space();
      if (eat(']')) return true;
      for (;;) {
        space();
        std::string item;
        if (!string(item)) return false;
        v.strings.push_back(item);
        space();
        if (eat(',')) continue;
        return eat(']');
      }
    }
    if (word("null")) {
      v.kind = Value::Null;
      return true;
    }
    if (word("true") || word("false")) {
      v.kind = Value::Bool;
      v.number = s_[i_ - 2] == 'u' ? 1 : 0;  // "tr(u)e" vs "fal(s)e"
      return true;
    }
    size_t start = i_;
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' ||
                              s_[i_] == '+' || s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E'))
      i_++;
    if (i_ == start) return false;
    v.kind = Value::Number;
    v.number = std::strtod(s_.substr(start, i_ - start).c_str(), nullptr);
    return true;
  }
};

inline std::string quote(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

inline std::string numberText(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

inline std::string hexOf(const std::vector<uint8_t> &bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

inline bool bytesOf(const std::string &hex, std::vector<uint8_t> &out) {
  if (hex.size() % 2 != 0) return false;
  for (size_t i = 0; i < hex.size(); i += 2) {
    char *end = nullptr;
    std::string pair = hex.substr(i, 2);
    long b = std::strtol(pair.c_str(), &end, 16);
    if (end != pair.c_str() + 2) return false;
    out.push_back(static_cast<uint8_t>(b));
  }
  return true;
}

// Pins are numbers or analog names; both become text for the Hal.
inline bool pinOf(const Request &r, std::string &pin) {
  auto it = r.find("pin");
  if (it == r.end()) return false;
  if (it->second.kind == Value::String) pin = it->second.text;
  else if (it->second.kind == Value::Number) pin = numberText(it->second.number);
  else return false;
  return !pin.empty();
}

inline bool numberOf(const Request &r, const char *key, double &out) {
  auto it = r.find(key);
  if (it == r.end() || it->second.kind != Value::Number) return false;
  out = it->second.number;
  return true;
}

// Answers one request line; returns "" for lines that get no answer (not a JSON object, or no id).
inline std::string handleLine(const std::string &line, Hal &hal) {
  Request r;
  if (!Parser(line).object(r)) return "";
  double idNumber;
  if (!numberOf(r, "id", idNumber)) return "";
  const std::string head = "{\"id\":" + numberText(idNumber);
  auto fail = [&](const std::string &error) { return head + ",\"ok\":false,\"error\":" + quote(error) + "}"; };
  auto done = [&](const std::string &error, const std::string &extra = "") {
    return error.empty() ? head + ",\"ok\":true" + extra + "}" : fail(error);
  };
  auto opIt = r.find("op");
  if (opIt == r.end() || opIt->second.kind != Value::String) return fail("no op");
  const std::string &op = opIt->second.text;
  std::string pin;
  double number = 0;

  if (op == "hello") {
    return head + ",\"ok\":true,\"protocol\":" + std::to_string(PROTOCOL_VERSION) +
           ",\"board\":" + quote(hal.boardName()) + "}";
  }
  if (op == "mode") {
    auto mode = r.find("mode");
    if (!pinOf(r, pin) || mode == r.end() || mode->second.kind != Value::String) return fail("mode needs pin and mode");
    const std::string &m = mode->second.text;
    if (m != "output" && m != "pwm" && m != "analog" && m != "neopixel") return fail("unknown mode " + m);
    double count = 0;
    if (m == "neopixel" && (!numberOf(r, "count", count) || count < 1 || count > 64)) return fail("neopixel needs count 1-64");
    return done(hal.setMode(pin, m, static_cast<int>(count)));
  }
  if (op == "write") {
    if (!pinOf(r, pin) || !numberOf(r, "value", number) || (number != 0 && number != 1)) return fail("write needs pin and value 0 or 1");
    return done(hal.write(pin, static_cast<int>(number)));
  }
  if (op == "pwm") {
    if (!pinOf(r, pin) || !numberOf(r, "duty", number) || number < 0 || number > 1) return fail("pwm needs pin and duty 0-1");
    return done(hal.pwm(pin, number));
  }
  if (op == "read") {
    if (!pinOf(r, pin)) return fail("read needs pin");
    double fraction = 0;
    std::string error = hal.read(pin, fraction);
    return done(error, ",\"value\":" + numberText(fraction));
  }
  if (op == "pixels") {
    auto colours = r.find("colors");
    if (!pinOf(r, pin) || colours == r.end() || colours->second.kind != Value::Strings) return fail("pixels needs pin and colors");
    std::vector<uint32_t> rgb;
    for (const std::string &c : colours->second.strings) {
      std::vector<uint8_t> bytes;
      if (c.size() != 6 || !bytesOf(c, bytes)) return fail("colour " + c + " is not rrggbb");
      rgb.push_back((uint32_t(bytes[0]) << 16) | (uint32_t(bytes[1]) << 8) | bytes[2]);
    }
    return done(hal.pixels(pin, rgb));
  }
  if (op == "nfc") {
    double reader = 0;
    numberOf(r, "reader", reader);
    std::string uid;
    std::string error = hal.nfc(static_cast<int>(reader), uid);
    return done(error, std::string(",\"uid\":") + (uid.empty() ? "null" : quote(uid)));
  }
  if (op == "i2c-write") {
    auto data = r.find("data");
    std::vector<uint8_t> bytes;
    if (!numberOf(r, "address", number) || data == r.end() || data->second.kind != Value::String ||
        !bytesOf(data->second.text, bytes))
      return fail("i2c-write needs address and hex data");
    return done(hal.i2cWrite(static_cast<int>(number), bytes));
  }
  if (op == "i2c-read") {
    double length = 0;
    if (!numberOf(r, "address", number) || !numberOf(r, "length", length) || length < 0 || length > 64)
      return fail("i2c-read needs address and length 0-64");
    std::vector<uint8_t> bytes;
    std::string error = hal.i2cRead(static_cast<int>(number), static_cast<int>(length), bytes);
    return done(error, ",\"data\":" + quote(hexOf(bytes)));
  }
  return fail("unknown op " + op);
}

}  // namespace gridflex
