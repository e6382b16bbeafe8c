package ai.candlefish.collab.core;

import java.util.List;

/**
 * Text. Characters typed in sequence end up in one item, so merging appends in place (a {@link StringBuilder},
 * compact Latin-1 storage for ASCII) instead of copying the whole string at each keystroke. Until an item first
 * grows, its text is the {@link String} it was made from (inserted or decoded), not a copy of it: most items never
 * grow, and copying a long pasted or loaded string into a builder was a tenth of inserting it.
 *
 * <p>The content of one ASCII char, as a keystroke typed or received makes, is one of 128 shared instances
 * ({@link #of}): an item then points at an object that every item of that char shares, so a keystroke costs one
 * object (the item) and reading or encoding a text touches one object per such item instead of three (content,
 * {@code String}, array). A shared instance is never changed: an item merges into its own copy ({@link #mutable}),
 * and a content of one char is never split.
 */
final class ContentString extends Content {
  private static final ContentString[] ONE_ASCII_CHAR = new ContentString[128];

  static {
    for (int c = 0; c < ONE_ASCII_CHAR.length; c++) {
      ONE_ASCII_CHAR[c] = new ContentString(String.valueOf((char) c), true, true);
    }
  }

  /** A {@link String} until the first merge, then a {@link StringBuilder}. */
  private CharSequence str;
  /**
   * Whether every char of {@link #str} is known to be ASCII (false: not known), as a decoded string is when its
   * UTF-8 had a byte per char. Such a string is written as its bytes ({@link UpdateEncoder#writeAsciiString}), with
   * no check: a document that received a long text encodes it again for its own update and for every sync.
   */
  private boolean ascii;
  /** One of {@link #ONE_ASCII_CHAR}: never changed. */
  private final boolean shared;

  private ContentString(String s, boolean ascii, boolean shared) {
    this.str = s;
    this.ascii = ascii;
    this.shared = shared;
  }

  /**
   * The content of {@code s}: the shared instance if it is one ASCII char, else a new one. {@code ascii}: every
   * char of {@code s} is known to be ASCII (false: not known).
   */
  static ContentString of(String s, boolean ascii) {
    if (s.length() == 1 && s.charAt(0) < ONE_ASCII_CHAR.length) {
      return ONE_ASCII_CHAR[s.charAt(0)];
    }
    return new ContentString(s, ascii, false);
  }

  /** The content of {@code s}, not known to be ASCII (see {@link #of(String, boolean)}). */
  static ContentString of(String s) {
    return of(s, false);
  }

  /** Whether this is a shared instance, for tests. */
  boolean isShared() {
    return shared;
  }

  private ContentString(StringBuilder sb, boolean ascii) {
    this.str = sb;
    this.ascii = ascii;
    this.shared = false;
  }

  /** Whether every char is known to be ASCII, for tests. */
  boolean knownAscii() {
    return ascii;
  }

  String string() {
    return str.toString();
  }

  CharSequence chars() {
    return str;
  }

  void appendTo(StringBuilder sb) {
    if (str instanceof String s) {
      sb.append(s);
    } else {
      sb.append((StringBuilder) str);
    }
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
    return str instanceof String plain ? new ContentString(plain, ascii, false)
        : new ContentString(new StringBuilder(str), ascii);
  }

  @Override
  Content mutable() {
    return shared ? new ContentString((String) str, true, false) : this;
  }

  /** A split leaves the left part up to this many chars of spare room rather than copying it once more. */
  private static final int SPARE_ROOM = 8;

  @Override
  Content splice(int offset) {
    if (shared) {
      throw new IllegalStateException("a shared content of one char cannot be split");
    }
    // Yjs never lets a split separate a surrogate pair: both halves become U+FFFD, exactly as Yjs does it.
    boolean splitsPair = offset > 0 && Character.isHighSurrogate(str.charAt(offset - 1));
    if (str instanceof String plain) {
      String left = plain.substring(0, offset);
      String right = plain.substring(offset);
      if (splitsPair) {
        left = left.substring(0, offset - 1) + '\uFFFD';
        right = '\uFFFD' + right.substring(1);
      }
      str = left;
      return of(right, ascii); // (an ASCII string has no surrogate pair to split)
    }
    StringBuilder chars = (StringBuilder) str;
    // The right part as a String: one bulk copy (appending a StringBuilder's range to another copies char by char),
    // and a split-off right part seldom grows.
    String right = chars.substring(offset);
    chars.setLength(offset);
    if (splitsPair) {
      chars.setCharAt(offset - 1, '\uFFFD');
      right = '\uFFFD' + right.substring(1);
    }
    if (chars.capacity() - offset > SPARE_ROOM) {
      chars.trimToSize();
    }
    return of(right, ascii);
  }

  @Override
  boolean mergeWith(Content right) {
    if (shared) {
      throw new IllegalStateException("a shared content of one char cannot grow: merge into mutable()");
    }
    ContentString other = (ContentString) right;
    CharSequence appended = other.str;
    ascii &= other.ascii;
    StringBuilder chars;
    if (str instanceof String plain) {
      // The first growth, sized as an exactly sized StringBuilder grows (twice its length and two).
      chars = new StringBuilder(Math.max(plain.length() + appended.length(), 2 * plain.length() + 2)).append(plain);
      str = chars;
    } else {
      chars = (StringBuilder) str;
    }
    if (appended instanceof String plain) {
      chars.append(plain);
    } else {
      chars.append((StringBuilder) appended);
    }
    return true;
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    if (ascii && str instanceof String s) {
      if (SearchMarkers.crossCheck && !s.chars().allMatch(c -> c < 0x80)) {
        throw new IllegalStateException("a string marked ASCII is not: " + s);
      }
      encoder.writeAsciiString(s, offset);
    } else {
      encoder.writeString(str, offset);
    }
  }

  @Override
  int ref() {
    return STRING;
  }
}
