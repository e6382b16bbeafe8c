package ai.candlefish.collab.core.internal.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
  @Test
  void plainText_isWrittenAsItIs_emojiAndAccentsToo() {
    String s = "Ada's estimate \u00e9t\u00e9 / \uD83D\uDE00 50% ..";
    assertThat(LogText.safe(s)).isSameAs(s);
    assertThat(LogText.quoted(s)).isEqualTo('"' + s + '"');
  }

  @Test
  void whatCouldStartALine_colourATerminal_orHideText_isEscaped() {
    assertThat(LogText.safe("a\r\nb")).isEqualTo("a\\u000d\\u000ab");
    assertThat(LogText.safe("a\u0085b\u2028c\u2029d")).isEqualTo("a\\u0085b\\u2028c\\u2029d");
    assertThat(LogText.safe("\u001b[2J\u001b[31mred")).isEqualTo("\\u001b[2J\\u001b[31mred");
    // Bidirectional override (shows "exe.pdf" for "fdp.exe"), zero-width space, a tag character beyond U+FFFF.
    assertThat(LogText.safe("invoice\u202Efdp.exe")).isEqualTo("invoice\\u202efdp.exe");
    assertThat(LogText.safe("ad\u200Bmin")).isEqualTo("ad\\u200bmin");
    assertThat(LogText.safe("x\uDB40\uDC41")).isEqualTo("x\\udb40\\udc41");
    // A lone surrogate of either half, and a backslash (else "\\u000a" typed by a client would read as ours).
    assertThat(LogText.safe("a\uD800b\uDC00")).isEqualTo("a\\ud800b\\udc00");
    assertThat(LogText.safe("C:\\u000a")).isEqualTo("C:\\\\u000a");
  }

  @Test
  void quoted_escapesQuotes_andSaysNull() {
    assertThat(LogText.quoted("say \"hi\"\n")).isEqualTo("\"say \\\"hi\\\"\\u000a\"");
    assertThat(LogText.safe("say \"hi\"")).isEqualTo("say \"hi\"");
    assertThat(LogText.quoted(null)).isEqualTo("-");
    assertThat(LogText.safe(null)).isEqualTo("null");
  }

  @Test
  void aLongValue_isCut_sayingHowMuchIsLeftOut_andNeverInsideAPair() {
    assertThat(LogText.safe("x".repeat(LogText.MAX_CHARS))).hasSize(LogText.MAX_CHARS);
    assertThat(LogText.safe("x".repeat(16 << 20)))
        .isEqualTo("x".repeat(LogText.MAX_CHARS) + "...(" + ((16 << 20) - LogText.MAX_CHARS) + " more characters)");
    String pairAtTheCut = "x".repeat(LogText.MAX_CHARS - 1) + "\uD83D\uDE00" + "y";
    assertThat(LogText.safe(pairAtTheCut)).isEqualTo("x".repeat(LogText.MAX_CHARS - 1) + "...(3 more characters)");
    assertThat(LogText.safe("\n".repeat(5000))).startsWith("\\u000a").endsWith("...(3976 more characters)");
  }
}
