package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Element names in upper and lower case as Yjs has them: {@code toUpperCase()} and {@code toLocaleLowerCase()} of
 * every code point in the Node the tests run, against {@link JsCase}.
 */
class JsCaseTest {
  private static final String SCRIPT = """
      const hex = s => [...s].map(c => c.codePointAt(0).toString(16)).join(' ')
      const out = ['unicode ' + process.versions.unicode]
      for (let c = 0; c <= 0x10FFFF; c++) {
        if (c >= 0xD800 && c <= 0xDFFF) continue
        const s = String.fromCodePoint(c)
        const up = s.toUpperCase(), lo = s.toLocaleLowerCase('en-US')
        if (up !== s || lo !== s) out.push(c.toString(16) + ';' + hex(up) + ';' + hex(lo))
      }
      console.log(out.join('\\n'))
      """;

  private static String hex(String s) {
    List<String> out = new ArrayList<>();
    s.codePoints().forEach(c -> out.add(Integer.toHexString(c)));
    return String.join(" ", out);
  }

  @Test
  void everyCodePoint_casesAsNode() {
    NodeProcess.Result result = NodeProcess.run("-e", Duration.ofMinutes(5), SCRIPT);
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    String[] lines = result.stdout().split("\n");
    // The table holds the pairs up to Unicode 17; an older Node lacks some of them.
    assumeThat(lines[0]).as("Node's Unicode version").isEqualTo("unicode 17.0");
    Map<Integer, String[]> node = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      String[] p = lines[i].trim().split(";", -1);
      node.put(Integer.parseInt(p[0], 16), new String[] {p[1], p[2]});
    }
    List<String> differences = new ArrayList<>();
    for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
      if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
        continue;
      }
      String s = new String(Character.toChars(c));
      String upper = JsCase.toUpperCase(s);
      String lower = JsCase.toLowerCase(s);
      String[] want = node.get(c);
      if (want == null && upper.equals(s) && lower.equals(s)) {
        continue; // no case, here and in Node
      }
      if (want == null) {
        want = new String[] {hex(s), hex(s)};
      }
      String up = hex(upper);
      String lo = hex(lower);
      if (!up.equals(want[0]) || !lo.equals(want[1])) {
        differences.add(Integer.toHexString(c) + ": " + up + " / " + lo + ", Node " + want[0] + " / " + want[1]);
      }
    }
    assertThat(differences).isEmpty();
  }

  @Test
  void names_mixingNewLettersWithOthers() {
    // a Vithkuqi capital, ß (two letters in upper case) and ɤ (a capital since Unicode 16)
    assertThat(JsCase.toUpperCase("p\uD801\uDD97\u00DF\u0264")).isEqualTo("P\uD801\uDD70SS\uA7CB");
    assertThat(JsCase.toLowerCase("DIV\uD801\uDD70\uA7CB")).isEqualTo("div\uD801\uDD97\u0264");
    assertThat(JsCase.toUpperCase("plain")).isEqualTo("PLAIN");
  }
}
