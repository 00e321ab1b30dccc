package dev.redistls.client;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplyFormatTest {
    static Reply bulk(String s) {
        return new Reply.Bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void humanIsWhatRedisCliPrintsOnATerminal() {
        assertThat(ReplyFormat.HUMAN.format(new Reply.Status("OK"))).isEqualTo("OK");
        assertThat(ReplyFormat.HUMAN.format(bulk("a \"b\"\n"))).isEqualTo("\"a \\\"b\\\"\\n\"");
        assertThat(ReplyFormat.HUMAN.format(new Reply.Bulk(new byte[] {(byte) 0xff, 1}))).isEqualTo("\"\\xff\\x01\"");
        assertThat(ReplyFormat.HUMAN.format(new Reply.Int(1))).isEqualTo("(integer) 1");
        assertThat(ReplyFormat.HUMAN.format(new Reply.Nil())).isEqualTo("(nil)");
        assertThat(ReplyFormat.HUMAN.format(new Reply.Error("ERR bad"))).isEqualTo("(error) ERR bad");
        assertThat(ReplyFormat.HUMAN.format(new Reply.Array(List.of()))).isEqualTo("(empty array)");
        assertThat(ReplyFormat.HUMAN.format(new Reply.Array(List.of(bulk("a"), new Reply.Int(2)))))
                .isEqualTo("1) \"a\"\n2) (integer) 2");
    }

    @Test
    void nestedAndWideListsAreIndentedLikeRedisCli() {
        Reply nested = new Reply.Array(List.of(new Reply.Array(List.of(bulk("x"), bulk("y"))), bulk("z")));
        assertThat(ReplyFormat.HUMAN.format(nested)).isEqualTo("1) 1) \"x\"\n   2) \"y\"\n2) \"z\"");
        List<Reply> ten = java.util.stream.IntStream.rangeClosed(1, 10).mapToObj(i -> (Reply) new Reply.Int(i)).toList();
        String out = ReplyFormat.HUMAN.format(new Reply.Array(ten));
        assertThat(out.lines().findFirst()).contains(" 1) (integer) 1");
        assertThat(out.lines().reduce((a, b) -> b)).contains("10) (integer) 10");
    }

    @Test
    void rawIsBareValuesOnePerLine() {
        assertThat(ReplyFormat.RAW.format(bulk("a b"))).isEqualTo("a b");
        assertThat(ReplyFormat.RAW.format(new Reply.Int(-3))).isEqualTo("-3");
        assertThat(ReplyFormat.RAW.format(new Reply.Nil())).isEmpty();
        assertThat(ReplyFormat.RAW.format(new Reply.Error("ERR x"))).isEqualTo("ERR x");
        assertThat(ReplyFormat.RAW.format(new Reply.Array(List.of(bulk("a"), bulk("b"))))).isEqualTo("a\nb");
    }

    @Test
    void jsonKeepsTypes() {
        Reply r = new Reply.Array(List.of(bulk("a"), new Reply.Int(1), new Reply.Nil(), new Reply.Error("ERR e")));
        assertThat(ReplyFormat.JSON.format(r)).isEqualTo("[\"a\",1,null,{\"error\":\"ERR e\"}]");
    }
}
