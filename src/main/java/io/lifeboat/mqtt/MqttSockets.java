package io.lifeboat.mqtt;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets for Paho's clients (brokers on {@code tcp://}), made for many small packets:
 *
 * <ul>
 *   <li>Nagle's algorithm off. An MQTT consumer acknowledges each QoS 1 message with a 4-byte PUBACK;
 *       with Nagle on, each waits for the broker's delayed TCP ACK (tens of milliseconds), the broker's
 *       in-flight window fills and inbound throughput drops to a few hundred messages a second.
 *   <li>Reads buffered. Paho reads a packet's header byte, its length bytes and its body in separate
 *       reads and asks how much is available before each packet: unbuffered, that is four system calls
 *       for a 4-byte PUBACK. Buffered, one read takes in whatever has arrived, and the availability
 *       question is answered from the buffer while it holds anything.
 * </ul>
 *
 * {@code ssl://} connections keep their own factory ({@code mqtt.caFile} or the JVM's): TLS decrypts
 * whole records into a buffer of its own.
 */
public final class MqttSockets extends SocketFactory {

    public static final MqttSockets INSTANCE = new MqttSockets();

    private MqttSockets() {}

    /** A socket whose input stream is buffered (see the class comment) and Nagle off. */
    static final class PacketSocket extends Socket {
        private InputStream in;

        PacketSocket() throws IOException {
            setTcpNoDelay(true);
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new Buffered(super.getInputStream());
            }
            return in;
        }
    }

    /** Answers {@link #available()} from the buffer while it holds bytes: no system call per packet. */
    static final class Buffered extends BufferedInputStream {
        Buffered(InputStream in) {
            super(in, 16 * 1024);
        }

        @Override
        public synchronized int available() throws IOException {
            int buffered = count - pos;
            return buffered > 0 ? buffered : super.available();
        }
    }

    private static Socket connected(InetSocketAddress to, InetSocketAddress from) throws IOException {
        Socket s = new PacketSocket();
        try {
            if (from != null) {
                s.bind(from);
            }
            s.connect(to);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public Socket createSocket() throws IOException {
        return new PacketSocket(); // Paho's way: an unconnected socket it connects with its own timeout
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }
}
