package ai.candlefish.collab.core.internal.codec;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Undefined;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON exactly as JavaScript's {@code JSON.stringify} writes it and {@code JSON.parse} reads it, for the values
 * of lib0's {@code any} mapping. Yjs stores formatting values, embeds and legacy JSON content as JSON strings, so
 * these must match byte for byte.
 */
public final class Json {
  private static final int MAX_DEPTH = Lib0Decoder.MAX_DEPTH;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  /**
   * {@code JSON.stringify(value)}: null for a top-level {@link Undefined} (as JavaScript returns undefined).
   *
   * @throws IllegalArgumentException for a {@code BigInteger} (JavaScript throws too) or an unsupported class
   */
  public static String stringify(Object value) {
    if (value == Undefined.INSTANCE) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    write(sb, value, 0);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("value nested deeper than " + MAX_DEPTH + " levels");
    }
    if (v == null || v == Undefined.INSTANCE) {
      sb.append("null");
    } else if (v instanceof String s) {
      writeString(sb, s);
    } else if (v instanceof Boolean b) {
      sb.append(b.booleanValue());
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte || v instanceof Long) {
      sb.append(((Number) v).longValue());
    } else if (v instanceof Double || v instanceof Float) {
      sb.append(numberToString(((Number) v).doubleValue()));
    } else if (v instanceof BigInteger) {
      throw new IllegalArgumentException("a bigint cannot be serialized to JSON");
    } else if (v instanceof byte[] bytes) {
      // A Uint8Array stringifies as an object of its indices.
      sb.append('{');
      for (int i = 0; i < bytes.length; i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append('"').append(i).append("\":").append(bytes[i] & 0xFF);
      }
      sb.append('}');
    } else if (v instanceof List<?> list) {
      sb.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(sb, list.get(i), depth + 1);
      }
      sb.append(']');
    } else if (v instanceof Map<?, ?> map) {
      sb.append('{');
      boolean first = true;
      for (String key : JsObjects.orderedKeys(map)) {
        Object value = map.get(key);
        if (value == Undefined.INSTANCE) {
          continue;
        }
        if (!first) {
          sb.append(',');
        }
        first = false;
        writeString(sb, key);
        sb.append(':');
        write(sb, value, depth + 1);
      }
      sb.append('}');
    } else if (v instanceof Doc doc) {
      // A subdocument in a type's toJson: JSON.stringify calls Y.Doc's toJSON(), its roots (none until loaded).
      write(sb, doc.toJson(), depth + 1);
    } else {
      throw new IllegalArgumentException("cannot serialize a " + v.getClass().getName() + " to JSON");
    }
  }

  private static void writeString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          boolean loneSurrogate = Character.isSurrogate(c)
              && !(Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
              && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
          if (c < 0x20 || loneSurrogate) {
            sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF])
                .append(HEX[c & 0xF]);
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** JavaScript's {@code Number.prototype.toString()} (ECMA-262 Number::toString), shortest round-trip digits. */
  public static String numberToString(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return "null"; // what JSON.stringify writes
    }
    if (d == 0) {
      return "0";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e21 && Math.abs(d) < 9.007199254740992E15) {
      return Long.toString((long) d);
    }
    // Shortest digits that read back as the same double.
    BigDecimal exact = new BigDecimal(d);
    BigDecimal shortest = null;
    for (int precision = 1; precision <= 17; precision++) {
      BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
      if (candidate.doubleValue() == d) {
        shortest = candidate;
        break;
      }
    }
    if (shortest == null) {
      shortest = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
    }
    BigDecimal stripped = shortest.stripTrailingZeros();
    String digits = stripped.unscaledValue().abs().toString();
    int k = digits.length();
    int n = k - stripped.scale(); // value = 0.digits × 10^n
    StringBuilder sb = new StringBuilder();
    if (d < 0) {
      sb.append('-');
    }
    if (k <= n && n <= 21) {
      sb.append(digits);
      for (int i = 0; i < n - k; i++) {
        sb.append('0');
      }
    } else if (0 < n && n <= 21) {
      sb.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      sb.append("0.");
      for (int i = 0; i < -n; i++) {
        sb.append('0');
      }
      sb.append(digits);
    } else {
      int e = n - 1;
      sb.append(digits.charAt(0));
      if (k > 1) {
        sb.append('.').append(digits, 1, k);
      }
      sb.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
    }
    return sb.toString();
  }

  /**
   * {@code JSON.parse(json)}: objects become unmodifiable maps with keys in JavaScript's order, arrays
   * unmodifiable lists, numbers {@code Integer} when integral within 32 bits, else {@code Double}.
   *
   * @throws DecodingException for malformed JSON (the offset is the character position)
   */
  public static Object parse(String json) {
    Parser p = new Parser(json);
    p.skipWhitespace();
    Object v = p.value(0);
    p.skipWhitespace();
    if (p.pos != json.length()) {
      throw p.error("unexpected character after the JSON value");
    }
    return v;
  }

  private static final class Parser {
    final String s;
    int pos;

    Parser(String s) {
      this.s = s;
    }

    DecodingException error(String message) {
      return new DecodingException("malformed JSON: " + message, pos);
    }

    void skipWhitespace() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        pos++;
      }
    }

    char peek() {
      if (pos >= s.length()) {
        throw error("unexpected end");
      }
      return s.charAt(pos);
    }

    void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    Object value(int depth) {
      if (depth > MAX_DEPTH) {
        throw error("nested deeper than " + MAX_DEPTH + " levels");
      }
      char c = peek();
      switch (c) {
        case '{':
          return object(depth);
        case '[':
          return array(depth);
        case '"':
          return string();
        case 't':
          literal("true");
          return Boolean.TRUE;
        case 'f':
          literal("false");
          return Boolean.FALSE;
        case 'n':
          literal("null");
          return null;
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw error("unexpected character '" + c + "'");
      }
    }

    void literal(String word) {
      if (!s.startsWith(word, pos)) {
        throw error("expected " + word);
      }
      pos += word.length();
    }

    Map<String, Object> object(int depth) {
      expect('{');
      Map<String, Object> map = new LinkedHashMap<>();
      skipWhitespace();
      if (peek() == '}') {
        pos++;
        return Collections.unmodifiableMap(map);
      }
      while (true) {
        skipWhitespace();
        if (peek() != '"') {
          throw error("expected a string key");
        }
        String key = string();
        skipWhitespace();
        expect(':');
        skipWhitespace();
        map.put(key, value(depth + 1));
        skipWhitespace();
        char c = peek();
        pos++;
        if (c == '}') {
          return JsObjects.ordered(map);
        }
        if (c != ',') {
          pos--;
          throw error("expected ',' or '}'");
        }
      }
    }

    List<Object> array(int depth) {
      expect('[');
      List<Object> list = new ArrayList<>();
      skipWhitespace();
      if (peek() == ']') {
        pos++;
        return Collections.unmodifiableList(list);
      }
      while (true) {
        skipWhitespace();
        list.add(value(depth + 1));
        skipWhitespace();
        char c = peek();
        pos++;
        if (c == ']') {
          return Collections.unmodifiableList(list);
        }
        if (c != ',') {
          pos--;
          throw error("expected ',' or ']'");
        }
      }
    }

    String string() {
      expect('"');
      StringBuilder sb = null;
      int start = pos;
      while (true) {
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(pos);
        if (c == '"') {
          String result = sb == null ? s.substring(start, pos) : sb.append(s, start, pos).toString();
          pos++;
          return result;
        }
        if (c < 0x20) {
          throw error("control character in string");
        }
        if (c == '\\') {
          if (sb == null) {
            sb = new StringBuilder();
          }
          sb.append(s, start, pos);
          pos++;
          char e = peek();
          pos++;
          switch (e) {
            case '"' -> sb.append('"');
            case '\\' -> sb.append('\\');
            case '/' -> sb.append('/');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'u' -> {
              if (pos + 4 > s.length()) {
                throw error("truncated \\u escape");
              }
              int code = 0;
              for (int i = 0; i < 4; i++) {
                int digit = Character.digit(s.charAt(pos + i), 16);
                if (digit < 0) {
                  throw error("bad \\u escape");
                }
                code = code * 16 + digit;
              }
              pos += 4;
              sb.append((char) code);
            }
            default -> {
              pos--;
              throw error("bad escape '\\" + e + "'");
            }
          }
          start = pos;
        } else {
          pos++;
        }
      }
    }

    Object number() {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      if (peek() == '0') {
        pos++;
      } else if (peek() >= '1' && peek() <= '9') {
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
          pos++;
        }
      } else {
        throw error("bad number");
      }
      if (pos < s.length() && s.charAt(pos) == '.') {
        pos++;
        int digits = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
          pos++;
        }
        if (pos == digits) {
          throw error("bad number");
        }
      }
      if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
        pos++;
        if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
          pos++;
        }
        int digits = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
          pos++;
        }
        if (pos == digits) {
          throw error("bad number");
        }
      }
      double d = Double.parseDouble(s.substring(start, pos));
      if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE && !(d == 0 && 1 / d < 0)) {
        return (int) d;
      }
      return d;
    }
  }
}
