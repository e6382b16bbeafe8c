package ai.candlefish.collab.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DocumentKeyTest {
  @Test
  void of_keepsTenantAndName_andTenantsMakeKeysDifferent() {
    DocumentKey a = DocumentKey.of("acme", "plans");
    assertThat(a.tenant()).isEqualTo("acme");
    assertThat(a.name()).isEqualTo("plans");
    assertThat(a).isEqualTo(DocumentKey.of("acme", "plans")).isNotEqualTo(DocumentKey.of("evil", "plans"));
    assertThat(a).hasToString("acme/plans");
  }

  @Test
  void of_refusesEmptyLongOrControlCharacters_namingThePart() {
    assertThatThrownBy(() -> DocumentKey.of("", "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tenant must not be empty");
    assertThatThrownBy(() -> DocumentKey.of("t", "a\nb")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("document name must not contain control characters (found U+000A at index 1)");
    assertThatThrownBy(() -> DocumentKey.of("t", "x".repeat(DocumentKey.MAX_NAME_LENGTH + 1)))
        .hasMessageContaining("at most 1024");
    assertThatThrownBy(() -> DocumentKey.of(null, "x")).isInstanceOf(NullPointerException.class)
        .hasMessage("tenant");
  }

  @Test
  void isValidName() {
    assertThat(DocumentKey.isValidName("team a/notes ✓")).isTrue();
    assertThat(DocumentKey.isValidName("")).isFalse();
    assertThat(DocumentKey.isValidName(null)).isFalse();
    assertThat(DocumentKey.isValidName("tab\there")).isFalse();
  }

  @Test
  void of_refusesLoneSurrogates_whichUtf8StoresWouldKeepAsQuestionMarks() {
    // "a\\uD800".getBytes(UTF_8) is "a?": PostgreSQL, Redis and every wire protocol would name document "a?" by it,
    // and a tenant "acme\\uDBFF" would share tenant "acme?"'s rows and streams.
    assertThatThrownBy(() -> DocumentKey.of("t", "a\uD800")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("document name must not contain a lone surrogate (found U+D800 at index 1)");
    assertThatThrownBy(() -> DocumentKey.of("acme\uDBFF", "x")).hasMessageStartingWith("tenant must not contain "
        + "a lone surrogate (found U+DBFF at index 4)");
    assertThatThrownBy(() -> DocumentKey.of("t", "\uDC00a")).hasMessageContaining("U+DC00 at index 0");
    assertThatThrownBy(() -> DocumentKey.of("t", "\uDE00\uD83D")).hasMessageContaining("U+DE00 at index 0");
    assertThat(DocumentKey.isValidName("a\uD83D\uDE00b")).isTrue(); // a pair: 😀
    assertThat(DocumentKey.isValidName("a?")).isTrue();
    assertThat(DocumentKey.isValidName("\uD83D")).isFalse();
  }

  @Test
  void toString_escapesWhatHidesText_inLogLines() {
    // Valid names (no control characters), which a log reader would see as "acme/invoice-exe.pdf".
    assertThat(DocumentKey.of("acme", "invoice-\u202Efdp.exe").toString()).isEqualTo("acme/invoice-\\u202efdp.exe");
    assertThat(DocumentKey.of("acme", "a\u2028b").toString()).isEqualTo("acme/a\\u2028b");
    assertThat(DocumentKey.of("acme", "notes/\u00e9t\u00e9 \uD83D\uDE00").toString())
        .isEqualTo("acme/notes/\u00e9t\u00e9 \uD83D\uDE00");
  }
}
