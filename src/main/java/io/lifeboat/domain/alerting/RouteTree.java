package io.lifeboat.domain.alerting;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig.RouteConfig;
import io.lifeboat.domain.Alert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The routing tree of {@code alerting.route}, walked as Alertmanager walks it: depth first; the first
 * child that matches takes the alert unless it says {@code continue}, in which case its later siblings
 * may take it too; when no child takes it for good (none matched, or only children with {@code
 * continue}), the node itself takes it as well. That last part differs from Alertmanager, where a
 * {@code continue} child with no later sibling drops the alert: here {@code routes: [{match: {severity:
 * critical}, receiver: house, continue: true}]} sends a critical alert to {@code house} and on to the
 * root's receiver, as the configuration reads. Children inherit receiver, grouping and
 * timing from their parent where they do not set them.
 */
public final class RouteTree {

    /** One node with everything inherited filled in. {@code id} is its path ("0", "0.1", ...). */
    public record Node(
            String id,
            String receiver,
            List<Matcher> matchers,
            boolean continueMatching,
            List<String> groupBy,
            boolean groupByAll,
            Duration groupWait,
            Duration groupInterval,
            Duration repeatInterval,
            List<Node> children) {

        public boolean matches(Map<String, String> labels) {
            return matchers.stream().allMatch(m -> m.matches(labels));
        }
    }

    private final Node root;

    public RouteTree(RouteConfig root) {
        requireNonNull(root, "root");
        if (root.receiver() == null) {
            throw new IllegalArgumentException("the root route needs a receiver");
        }
        this.root = build(
                "0",
                root,
                null,
                List.of(),
                RouteConfig.DEFAULT_GROUP_WAIT,
                RouteConfig.DEFAULT_GROUP_INTERVAL,
                RouteConfig.DEFAULT_REPEAT_INTERVAL);
    }

    public Node root() {
        return root;
    }

    private static Node build(
            String id,
            RouteConfig c,
            String receiver,
            List<String> groupBy,
            Duration wait,
            Duration interval,
            Duration repeat) {
        String r = c.receiver() != null ? c.receiver() : receiver;
        List<String> g = c.groupBy() != null ? c.groupBy() : groupBy;
        Duration w = c.groupWait() != null ? c.groupWait() : wait;
        Duration i = c.groupInterval() != null ? c.groupInterval() : interval;
        Duration rp = c.repeatInterval() != null ? c.repeatInterval() : repeat;
        List<Matcher> matchers = new ArrayList<>();
        c.match().forEach((k, v) -> matchers.add(Matcher.eq(k, v)));
        c.matchRe().forEach((k, v) -> matchers.add(Matcher.re(k, v)));
        List<Node> children = new ArrayList<>();
        for (int n = 0; n < c.routes().size(); n++) {
            children.add(build(id + "." + n, c.routes().get(n), r, g, w, i, rp));
        }
        boolean all = g.contains("...");
        return new Node(
                id,
                r,
                List.copyOf(matchers),
                c.continueMatching(),
                all ? List.of() : List.copyOf(g),
                all,
                w,
                i,
                rp,
                List.copyOf(children));
    }

    /** The nodes that take this alert (at least one: the root takes what nothing below it takes). */
    public List<Node> route(Alert alert) {
        Map<String, String> labels = Matcher.labels(alert);
        List<Node> taken = walk(root, labels);
        return taken.isEmpty() ? List.of(root) : taken;
    }

    private static List<Node> walk(Node node, Map<String, String> labels) {
        if (!node.matches(labels)) {
            return List.of();
        }
        List<Node> taken = new ArrayList<>();
        boolean stopped = false;
        for (Node child : node.children()) {
            List<Node> t = walk(child, labels);
            taken.addAll(t);
            if (!t.isEmpty() && !child.continueMatching()) {
                stopped = true;
                break;
            }
        }
        if (!stopped) {
            taken.add(node); // nothing took it for good: {@code continue} goes on to the node itself
        }
        return taken;
    }
}
