package dev.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class NoDelaySocketFactoryTest {
  private final NoDelaySocketFactory factory = new NoDelaySocketFactory();

  @Test
  void anUnconnectedSocketHasNagleOff() throws Exception {
    try (Socket s = factory.createSocket()) {
      assertThat(s.getTcpNoDelay()).isTrue();
    }
  }

  @Test
  void aConnectedSocketHasNagleOff() throws Exception {
    InetAddress local = InetAddress.getLoopbackAddress();
    try (ServerSocket server = new ServerSocket(0, 1, local);
        Socket byName = factory.createSocket(local.getHostAddress(), server.getLocalPort());
        Socket byAddress = factory.createSocket(local, server.getLocalPort())) {
      assertThat(byName.getTcpNoDelay()).isTrue();
      assertThat(byAddress.getTcpNoDelay()).isTrue();
    }
  }
}
