package th.co.lobby.support

/** A minimal JSON reader for the test server's answers (no JSON library on this classpath). */
object Json {
    fun parse(text: String): Any? = Reader(text).run { value().also { skipSpace(); require(pos == text.length) { "trailing JSON" } } }

    private class Reader(val s: String) {
        var pos = 0

        fun value(): Any? {
            skipSpace()
            return when (val c = s[pos]) {
                '{' -> obj()
                '[' -> arr()
                '"' -> str()
                't' -> literal("true", true)
                'f' -> literal("false", false)
                'n' -> literal("null", null)
                else -> if (c == '-' || c.isDigit()) num() else error("unexpected '$c' at $pos")
            }
        }

        fun obj(): Map<String, Any?> {
            val out = LinkedHashMap<String, Any?>()
            pos++
            skipSpace()
            if (s[pos] == '}') return out.also { pos++ }
            while (true) {
                skipSpace()
                val k = str()
                skipSpace()
                expect(':')
                out[k] = value()
                skipSpace()
                if (s[pos++] == '}') return out
            }
        }

        fun arr(): List<Any?> {
            val out = ArrayList<Any?>()
            pos++
            skipSpace()
            if (s[pos] == ']') return out.also { pos++ }
            while (true) {
                out.add(value())
                skipSpace()
                if (s[pos++] == ']') return out
            }
        }

        fun str(): String {
            expect('"')
            val b = StringBuilder()
            while (true) {
                when (val c = s[pos++]) {
                    '"' -> return b.toString()
                    '\\' -> when (val e = s[pos++]) {
                        'n' -> b.append('\n')
                        't' -> b.append('\t')
                        'r' -> b.append('\r')
                        'b' -> b.append('\b')
                        'f' -> b.append('\u000C')
                        'u' -> b.append(s.substring(pos, pos + 4).toInt(16).toChar()).also { pos += 4 }
                        else -> b.append(e)
                    }
                    else -> b.append(c)
                }
            }
        }

        fun num(): Number {
            val start = pos
            while (pos < s.length && (s[pos].isDigit() || s[pos] in "+-.eE")) pos++
            val t = s.substring(start, pos)
            return t.toLongOrNull() ?: t.toDouble()
        }

        fun literal(word: String, v: Any?): Any? {
            require(s.startsWith(word, pos)) { "bad literal at $pos" }
            pos += word.length
            return v
        }

        fun expect(c: Char) {
            require(s[pos] == c) { "expected '$c' at $pos" }
            pos++
        }

        fun skipSpace() {
            while (pos < s.length && s[pos].isWhitespace()) pos++
        }
    }
}
