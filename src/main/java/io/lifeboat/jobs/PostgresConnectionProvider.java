package io.lifeboat.jobs;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.LinkedBlockingDeque;
import org.quartz.utils.ConnectionProvider;

/**
 * The connections of the clustered Quartz job store: straight from the PostgreSQL driver, with a few
 * idle ones kept for reuse (Quartz asks for one every few seconds to check in and to acquire triggers).
 * Quartz creates it from {@code org.quartz.dataSource.lifeboat.*}: {@code url}, {@code user},
 * {@code password}, {@code maxIdle}.
 */
public final class PostgresConnectionProvider implements ConnectionProvider {

    private final LinkedBlockingDeque<Connection> idle = new LinkedBlockingDeque<>();
    private String url;
    private String user;
    private String password;
    private int maxIdle = 4;
    private volatile boolean shutdown;

    public void setUrl(String url) {
        this.url = url;
    }

    public void setUser(String user) {
        this.user = user;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public void setMaxIdle(int maxIdle) {
        this.maxIdle = maxIdle;
    }

    @Override
    public void initialize() throws SQLException {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new SQLException("the Quartz job store needs a jdbc:postgresql: url, got " + url);
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            if (!c.isClosed() && c.isValid(2)) {
                return pooled(c);
            }
            closeQuietly(c);
        }
        return pooled(DriverManager.getConnection(url, user, password));
    }

    /** A connection whose close() gives it back (reset to auto-commit) instead of closing it. */
    private Connection pooled(Connection real) {
        boolean[] closed = {false};
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getName().equals("close") && method.getParameterCount() == 0) {
                if (!closed[0]) {
                    closed[0] = true;
                    giveBack(real);
                }
                return null;
            }
            if (method.getName().equals("isClosed") && method.getParameterCount() == 0) {
                return closed[0] || real.isClosed();
            }
            if (closed[0]) {
                throw new SQLException("connection already given back");
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Connection)
                Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
    }

    private void giveBack(Connection real) {
        try {
            if (shutdown || real.isClosed() || idle.size() >= maxIdle) {
                closeQuietly(real);
                return;
            }
            if (!real.getAutoCommit()) {
                real.rollback(); // whatever Quartz left open is not committed by the next user
                real.setAutoCommit(true);
            }
            idle.offerFirst(real);
        } catch (SQLException e) {
            closeQuietly(real);
        }
    }

    @Override
    public void shutdown() {
        shutdown = true;
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // going away anyway
        }
    }
}
