package ai.candlefish.collab.server.handler;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol;
import ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol;
import ai.candlefish.collab.server.internal.WireProtocol;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UpgradeRouterTest {
  private final List<Object> passedOn = new ArrayList<>();
  private final EmbeddedChannel channel = new EmbeddedChannel(
      new UpgradeRouter("/collab", List.of(YWebsocketProtocol.INSTANCE)),
      new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          passedOn.add(msg);
        }
      });

  @BeforeAll
  static void paranoid() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @AfterEach
  void finish() {
    passedOn.forEach(m -> ((FullHttpRequest) m).release());
    channel.finishAndReleaseAll();
  }

  private static FullHttpRequest request(HttpMethod method, String uri, boolean upgrade) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    if (upgrade) {
      request.headers().set(HttpHeaderNames.UPGRADE, "WebSocket").set(HttpHeaderNames.CONNECTION, "Upgrade");
    }
    return request;
  }

  private int refusedWith(FullHttpRequest request) {
    channel.writeInbound(request);
    assertThat(request.refCnt()).isZero();
    assertThat(passedOn).isEmpty();
    FullHttpResponse response = channel.readOutbound();
    try {
      assertThat(channel.isOpen()).as("closed after the response").isFalse();
      return response.status().code();
    } finally {
      response.release();
    }
  }

  /** The status and the body's line of the response to an upgrade request for {@code uri}, on a channel of its own. */
  private static String statusOf(String uri) {
    EmbeddedChannel ch = new EmbeddedChannel(new UpgradeRouter("/collab", List.of(YWebsocketProtocol.INSTANCE)));
    ch.writeInbound(request(HttpMethod.GET, uri, true));
    FullHttpResponse response = ch.readOutbound();
    try {
      assertThat(ch.isOpen()).as("closed after the response").isFalse();
      return response.status() + ": " + response.content().toString(StandardCharsets.UTF_8).strip();
    } finally {
      response.release();
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void upgradeUnderThePrefix_isPassedOnWithItsRoute() {
    FullHttpRequest request = request(HttpMethod.GET, "/collab/team%20a/notes?token=s3cret&lang=en", true);
    channel.writeInbound(request);
    assertThat(passedOn).containsExactly(request);
    assertThat(channel.pipeline().get(UpgradeRouter.class)).as("removed itself").isNull();
    UpgradeRouter.Route route = channel.attr(UpgradeRouter.ROUTE).get();
    assertThat(route.protocol()).isSameAs(YWebsocketProtocol.INSTANCE);
    assertThat(route.relativePath()).isEqualTo("team a/notes");
    assertThat(route.token()).isEqualTo("s3cret");
    assertThat(route.path()).isEqualTo("/collab/team a/notes");
    assertThat(route.parameters()).isEqualTo(Map.of("lang", List.of("en")));
  }

  @Test
  void withoutToken_theRouteHasNone() {
    channel.writeInbound(request(HttpMethod.GET, "/collab/doc", true));
    assertThat(channel.attr(UpgradeRouter.ROUTE).get().token()).isNull();
  }

  @Test
  void outsideThePrefix_is404() {
    assertThat(refusedWith(request(HttpMethod.GET, "/collabx/doc", true))).isEqualTo(404);
  }

  @Test
  void thePrefixAlone_is404ForYWebsocket() {
    assertThat(refusedWith(request(HttpMethod.GET, "/collab?token=x", true))).isEqualTo(404);
  }

  @Test
  void withoutUpgrade_is426() {
    assertThat(refusedWith(request(HttpMethod.GET, "/collab/doc", false))).isEqualTo(426);
  }

  @Test
  void post_is405() {
    assertThat(refusedWith(request(HttpMethod.POST, "/collab/doc", true))).isEqualTo(405);
  }

  @Test
  void strayPercent_isALiteralPercent_asYWebsocketsServerTakesTheRoomName() {
    // y-websocket's provider writes the room into the URL unencoded: room "50% off/%zz %" is this path.
    channel.writeInbound(request(HttpMethod.GET, "/collab/50%%20off/%zz%20%?token=a%b%2", true));
    UpgradeRouter.Route route = channel.attr(UpgradeRouter.ROUTE).get();
    assertThat(route.relativePath()).isEqualTo("50% off/%zz %");
    assertThat(route.token()).isEqualTo("a%b%2");
  }

  @Test
  void anEncodedSlash_is400_notTheSameDocumentAsASlash() {
    // Before, a%2Fb was document "a/b" here while Tomcat and Jetty refused it, and /collab%2Fdoc was document "doc".
    for (String uri : List.of("/collab/a%2Fb", "/collab/a%2fb", "/collab%2Fdoc", "/collab/%2F")) {
      assertThat(statusOf(uri)).as(uri).isEqualTo("400 Bad Request: malformed request path: an encoded slash (%2F); "
          + "write a slash in a document name as it is");
    }
  }

  @Test
  void escapesThatAreNotUtf8_are400_notOneReplacementCharacter() {
    // Before, each was decoded to U+FFFD: all of them (and %EF%BF%BD) were one document.
    for (String uri : List.of("/collab/%FF", "/collab/%C3%28", "/collab/a%C3", "/collab/%ED%A0%80", "/collab/%C0%AF",
        "/collab/%F4%90%80%80")) {
      assertThat(statusOf(uri)).as(uri).isEqualTo("400 Bad Request: malformed request path: percent-escapes that "
          + "are not UTF-8");
    }
  }

  @Test
  void rawCharactersBeyondAscii_are400() {
    // Netty reads the request line's bytes as ISO-8859-1: "ü" sent raw in UTF-8 was document "Ã¼".
    assertThat(refusedWith(request(HttpMethod.GET, "/collab/\u00c3\u00bc", true))).isEqualTo(400);
  }

  @Test
  void decodedPath_oneSpellingRule() {
    assertThat(UpgradeRouter.decodedPath("/collab/%C3%BC%20a/b?x=%2F")).isEqualTo("/collab/ü a/b");
    assertThat(UpgradeRouter.decodedPath("/collab/50%%25%")).isEqualTo("/collab/50%%%");
    assertThat(UpgradeRouter.decodedPath("/collab/%F0%9F%98%80#f")).isEqualTo("/collab/\uD83D\uDE00");
    assertThat(UpgradeRouter.decodedPath("/collab/plain?%FF")).isEqualTo("/collab/plain");
  }

  @Test
  void escapesAroundAStrayPercent_areDecoded() {
    assertThat(UpgradeRouter.withStrayPercentsEscaped("/%C3%BC%")).isEqualTo("/%C3%BC%25");
    assertThat(UpgradeRouter.withStrayPercentsEscaped("/%%41%4")).isEqualTo("/%25%41%254");
    assertThat(UpgradeRouter.withStrayPercentsEscaped("/plain")).isEqualTo("/plain");
  }

  @Test
  void strayPercentInTheQuery_isLiteral_notAFailedConnection() {
    // Before, the query was decoded outside the path's try: the connection failed with a WARN and a stack trace.
    channel.writeInbound(request(HttpMethod.GET, "/collab/doc?x=%zz&y=100%", true));
    assertThat(channel.attr(UpgradeRouter.ROUTE).get().parameters())
        .isEqualTo(Map.of("x", List.of("%zz"), "y", List.of("100%")));
  }

  @Test
  void relativePath_withTheRootPrefix() {
    UpgradeRouter root = new UpgradeRouter("", List.of());
    assertThat(root.relativePath("/doc")).isEqualTo("doc");
    assertThat(root.relativePath("/a/b")).isEqualTo("a/b");
    assertThat(root.relativePath("")).isEqualTo("");
  }

  @Test
  void withBothProtocols_thePrefixAloneIsHocuspocus_andADocumentPathIsYWebsocket() {
    List<WireProtocol> both = List.of(YWebsocketProtocol.INSTANCE, HocuspocusProtocol.INSTANCE);
    for (String uri : List.of("/collab", "/collab/", "/collab?token=x")) {
      EmbeddedChannel hocuspocus = new EmbeddedChannel(new UpgradeRouter("/collab", both));
      FullHttpRequest request = request(HttpMethod.GET, uri, true);
      hocuspocus.writeInbound(request);
      assertThat(hocuspocus.attr(UpgradeRouter.ROUTE).get().protocol()).as(uri).isSameAs(HocuspocusProtocol.INSTANCE);
      hocuspocus.finishAndReleaseAll(); // the request was passed on: released with the channel's inbound
      assertThat(request.refCnt()).isZero();
    }
    EmbeddedChannel ywebsocket = new EmbeddedChannel(new UpgradeRouter("/collab", both));
    FullHttpRequest request = request(HttpMethod.GET, "/collab/doc", true);
    ywebsocket.writeInbound(request);
    assertThat(ywebsocket.attr(UpgradeRouter.ROUTE).get().protocol()).isSameAs(YWebsocketProtocol.INSTANCE);
    ywebsocket.finishAndReleaseAll();
    assertThat(request.refCnt()).isZero();
  }
}
