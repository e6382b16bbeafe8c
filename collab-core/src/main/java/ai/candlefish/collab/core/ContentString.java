package ai.candlefish.collab.core;

import java.util.List;

/**
 * Text. Characters typed in sequence end up in one item, so merging appends in place (a {@link StringBuilder},
 * compact Latin-1 storage for ASCII) instead of copying the whole string at each keystroke.
 */
final class ContentString extends Content {
  private StringBuilder str;

  ContentString(String s) {
    // Exactly sized: most items never grow (a typed character is merged into its left neighbour, which grows).
    this.str = new StringBuilder(s.length()).append(s);
  }

  private ContentString(StringBuilder sb) {
    this.str = sb;
  }

  String string() {
    return str.toString();
  }

  CharSequence chars() {
    return str;
  }

  void appendTo(StringBuilder sb) {
    sb.append(str);
  }

  @Override
  int length() {
    return str.length();
  }

  @Override
  boolean isCountable() {
    return true;
  }

  @Override
  void collect(List<Object> out) {
    for (int i = 0; i < str.length(); i++) {
      out.add(String.valueOf(str.charAt(i)));
    }
  }

  @Override
  Content copy() {
    return new ContentString(new StringBuilder(str));
  }

  /** Up to this many chars, a split copies them one by one instead of through a String (an allocation more). */
  private static final int SHORT_TAIL = 32;
  /** A split leaves the left part up to this many chars of spare room rather than copying it once more. */
  private static final int SPARE_ROOM = 8;

  @Override
  Content splice(int offset) {
    int tailLength = str.length() - offset;
    StringBuilder rightChars = new StringBuilder(tailLength + SPARE_ROOM);
    if (tailLength <= SHORT_TAIL) {
      rightChars.append(str, offset, str.length());
    } else {
      // Through substring: StringBuilder.append(CharSequence, int, int) copies a StringBuilder char by char.
      rightChars.append(str.substring(offset));
    }
    str.setLength(offset);
    // Yjs never lets a split separate a surrogate pair: both halves become U+FFFD, exactly as Yjs does it.
    if (offset > 0 && Character.isHighSurrogate(str.charAt(offset - 1))) {
      str.setCharAt(offset - 1, '\uFFFD');
      rightChars.setCharAt(0, '\uFFFD');
    }
    if (str.capacity() - offset > SPARE_ROOM) {
      str.trimToSize();
    }
    return new ContentString(rightChars);
  }

  @Override
  boolean mergeWith(Content right) {
    str.append(((ContentString) right).str);
    return true;
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    encoder.writeString(str, offset);
  }

  @Override
  int ref() {
    return STRING;
  }
}
