package dev.redistls.node;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Who is on the plain port: lines as Redis 7.0 prints them (CLIENT LIST), each case next to the rule it tests. */
class ClientConnectionsTest {
    static final String HELLO_ON_PLAIN = "id=3 addr=127.0.0.1:57840 laddr=127.0.0.1:6379 fd=8 name= age=2 idle=2 flags=N db=0"
            + " sub=0 psub=0 ssub=0 multi=-1 qbuf=297 qbuf-free=20177 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0"
            + " omem=0 tot-mem=22272 events=r cmd=NULL user=default redir=-1 resp=2";
    static final String APP = "id=5 addr=10.0.0.7:51234 laddr=127.0.0.1:6379 fd=10 name=billing age=40 idle=3 flags=N db=0"
            + " sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0"
            + " tot-mem=1800 events=r cmd=get user=default redir=-1 resp=2";
    static final String CONNECTED_NOTHING_SENT = "id=6 addr=10.0.0.8:40000 laddr=127.0.0.1:6379 fd=11 name= age=9 idle=9"
            + " flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0"
            + " oll=0 omem=0 tot-mem=1800 events=r cmd=NULL user=default redir=-1 resp=2";
    static final String HALF_A_COMMAND_NOW = "id=7 addr=10.0.0.9:40001 laddr=127.0.0.1:6379 fd=12 name= age=0 idle=0"
            + " flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=12 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0"
            + " oll=0 omem=0 tot-mem=1800 events=r cmd=NULL user=default redir=-1 resp=2";
    static final String OWN = "id=4 addr=127.0.0.1:57856 laddr=127.0.0.1:6379 fd=9 name=redis-tls age=0 idle=0 flags=N db=0"
            + " sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0"
            + " omem=0 tot-mem=37658 events=r cmd=client|list user=default redir=-1 resp=2";

    @Test
    void aTlsHelloWaitingOnThePlainPortIsNoPlaintextClient() {
        ClientConnections c = ClientConnections.parse(String.join("\n", HELLO_ON_PLAIN, APP, CONNECTED_NOTHING_SENT,
                HALF_A_COMMAND_NOW, OWN), 6379, 6380, 4);
        assertThat(c.plaintext()).extracting(ClientConnections.Connection::address)
                .containsExactly("10.0.0.7:51234", "10.0.0.8:40000", "10.0.0.9:40001");
    }

    /** Closing the plain port (port 0) keeps who is connected on it: still plain text, not TLS. */
    @Test
    void aClientLeftOnAClosedPlainPortIsStillPlaintext() {
        String tlsClient = APP.replace("id=5", "id=8").replace("10.0.0.7:51234", "10.0.0.9:50000").replace(":6379", ":6380");
        ClientConnections c = ClientConnections.parse(String.join("\n", APP, tlsClient, OWN), 0, 6380, 4);
        assertThat(c.plaintext()).extracting(ClientConnections.Connection::address).containsExactly("10.0.0.7:51234");
        assertThat(c.plaintext().get(0).localPort()).isEqualTo(6379);
        assertThat(c.tlsCount()).isEqualTo(1);
    }
}
