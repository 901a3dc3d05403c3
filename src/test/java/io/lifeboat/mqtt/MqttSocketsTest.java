package io.lifeboat.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class MqttSocketsTest {

    @Test
    void socketsHaveNagleOffAndReadWhatArrivedInOneGo() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = MqttSockets.INSTANCE.createSocket()) {
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 2000);
            try (Socket peer = server.accept()) {
                assertThat(client.getTcpNoDelay()).isTrue();
                OutputStream out = peer.getOutputStream();
                // two PUBACKs (4 bytes each) arriving together
                out.write(new byte[] {0x40, 0x02, 0x00, 0x01, 0x40, 0x02, 0x00, 0x02});
                out.flush();

                InputStream in = client.getInputStream();
                assertThat(in).isInstanceOf(BufferedInputStream.class);
                assertThat(client.getInputStream()).isSameAs(in); // one buffer for the connection's life
                assertThat(in.read()).isEqualTo(0x40);
                // the rest came in with the first read: counted from the buffer
                assertThat(in.available()).isEqualTo(7);
                byte[] rest = in.readNBytes(7);
                assertThat(rest).containsExactly(0x02, 0x00, 0x01, 0x40, 0x02, 0x00, 0x02);
                assertThat(in.available()).isZero();

                out.write(0x30);
                out.flush();
                assertThat(in.read()).isEqualTo(0x30); // and it goes on reading the socket after that
            }
        }
    }

    @Test
    void connectingFactoryMethodsGiveConnectedSockets() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            try (Socket a = MqttSockets.INSTANCE.createSocket("127.0.0.1", server.getLocalPort());
                    Socket b = MqttSockets.INSTANCE.createSocket(
                            InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                assertThat(a.isConnected()).isTrue();
                assertThat(b.isConnected()).isTrue();
                assertThat(a.getTcpNoDelay()).isTrue();
            }
        }
    }
}
