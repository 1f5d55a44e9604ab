import Foundation

/// Pictures made here for the tests that need real image files — a camera-sized JPEG
/// photo, a PNG screenshot — the twin of the Kotlin tests' `picture(format, width, height)`
/// (java.awt + ImageIO). Swift on Linux has no image encoder (no CoreGraphics, no
/// ImageIO), so this file carries two small ones: a baseline JPEG encoder (YCbCr 4:4:4,
/// the standard Huffman tables, quality about 85) and a PNG writer (RGB, stored deflate
/// blocks). Both make ordinary files any decoder reads (checked once with libjpeg's
/// `djpeg -strict` and zlib: the pixels come back, the JPEG within a few levels); the core
/// decodes them whole when it shrinks a payment slip (`core/src/invoices/slip.rs`).
///
/// The picture is the Kotlin one, pixel for pixel: `v = ((x·7 + y·13) xor (x·y)) & 0xff`,
/// red `v`, green `3v & 0xff`, blue 200 — enough detail not to compress to nothing.
enum TestPictures {
    /// A JPEG photo of `width` × `height` (default: a 3 MP camera's 2000 × 1500).
    static func jpeg(width: Int = 2000, height: Int = 1500) -> Data {
        if width == 2000 && height == 1500 { return cameraJPEG }
        return JPEGWriter(width: width, height: height).encode()
    }

    /// A PNG screenshot of `width` × `height`.
    static func png(width: Int, height: Int) -> Data {
        PNGWriter.encode(width: width, height: height)
    }

    /// The default JPEG (about 4.8 MB), made once per test run: the encoder is plain Swift
    /// in a debug build and takes a few seconds over it.
    private static let cameraJPEG = JPEGWriter(width: 2000, height: 1500).encode()

    /// The picture's red, green and blue at (x, y).
    static func pixel(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8) {
        let v = ((x * 7 + y * 13) ^ (x * y)) & 0xff
        return (UInt8(v), UInt8((v * 3) & 0xff), 200)
    }
}

// MARK: - PNG

private enum PNGWriter {
    static func encode(width: Int, height: Int) -> Data {
        // Raw scanlines: filter type 0, then RGB.
        var raw = [UInt8]()
        raw.reserveCapacity(height * (1 + width * 3))
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width {
                let (r, g, b) = TestPictures.pixel(x, y)
                raw.append(r)
                raw.append(g)
                raw.append(b)
            }
        }
        // zlib stream of stored (uncompressed) deflate blocks.
        var zlib: [UInt8] = [0x78, 0x01]
        zlib.reserveCapacity(raw.count + raw.count / 65_535 * 5 + 16)
        var offset = 0
        repeat {
            let count = min(65_535, raw.count - offset)
            let last = offset + count == raw.count
            zlib.append(last ? 1 : 0)
            zlib.append(UInt8(count & 0xff))
            zlib.append(UInt8(count >> 8))
            zlib.append(UInt8(~count & 0xff))
            zlib.append(UInt8((~count >> 8) & 0xff))
            zlib.append(contentsOf: raw[offset..<(offset + count)])
            offset += count
        } while offset < raw.count
        appendBigEndian(&zlib, adler32(raw))

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        appendBigEndian(&header, UInt32(width))
        appendBigEndian(&header, UInt32(height))
        header += [8, 2, 0, 0, 0]  // 8 bits, RGB, deflate, no filter method, no interlace
        chunk(&png, "IHDR", header)
        chunk(&png, "IDAT", zlib)
        chunk(&png, "IEND", [])
        return Data(png)
    }

    private static func chunk(_ png: inout [UInt8], _ type: String, _ data: [UInt8]) {
        appendBigEndian(&png, UInt32(data.count))
        let typed = Array(type.utf8) + data
        png += typed
        appendBigEndian(&png, crc32(typed))
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        crcTable.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { data in
                for byte in data { c = table[Int((c ^ UInt32(byte)) & 0xff)] ^ (c >> 8) }
            }
        }
        return c ^ 0xFFFF_FFFF
    }

    private static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        bytes.withUnsafeBufferPointer { data in
            var i = 0
            while i < data.count {
                // 5552 bytes at most between reductions keeps the sums within 32 bits.
                let end = min(i + 5552, data.count)
                while i < end {
                    a &+= UInt32(data[i])
                    b &+= a
                    i += 1
                }
                a %= 65_521
                b %= 65_521
            }
        }
        return b << 16 | a
    }

    private static func appendBigEndian(_ out: inout [UInt8], _ value: UInt32) {
        out += [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }
}

// MARK: - JPEG

/// A baseline (sequential, Huffman) JPEG encoder: JFIF, three components YCbCr without
/// subsampling, the luminance quantization table of the standard (Annex K.1) scaled to
/// quality 85 for all three, and the standard luminance Huffman tables (K.3, K.5).
private struct JPEGWriter {
    let width: Int
    let height: Int

    /// Natural (row-major) index of each zig-zag position.
    private static let zigzag: [Int] = {
        var order = [Int]()
        for s in 0...14 {
            let rows = max(0, s - 7)...min(s, 7)
            for row in (s % 2 == 0 ? Array(rows.reversed()) : Array(rows)) { order.append(row * 8 + (s - row)) }
        }
        return order
    }()

    /// Annex K.1, natural order.
    private static let baseQuant: [Int] = [
        16, 11, 10, 16, 24, 40, 51, 61,
        12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77,
        24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101,
        72, 92, 95, 98, 112, 100, 103, 99,
    ]

    /// Quality 85 (the IJG scaling: 200 − 2·85 = 30 %), natural order.
    private static let quant: [Int] = baseQuant.map { max(1, min(255, ($0 * 30 + 50) / 100)) }

    private static let dcBits: [UInt8] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    private static let dcValues: [UInt8] = Array(0...11)
    private static let acBits: [UInt8] = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D]
    private static let acValues: [UInt8] = [
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
        0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0,
        0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28,
        0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
        0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
        0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
        0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
        0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5,
        0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2,
        0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
        0xF9, 0xFA,
    ]

    /// (code, length) of each symbol of a table given as the counts per length and the symbols.
    private static func codes(_ bits: [UInt8], _ values: [UInt8]) -> [(UInt32, Int)] {
        var table = [(UInt32, Int)](repeating: (0, 0), count: 256)
        var code: UInt32 = 0
        var k = 0
        for length in 1...16 {
            for _ in 0..<Int(bits[length - 1]) {
                table[Int(values[k])] = (code, length)
                code += 1
                k += 1
            }
            code <<= 1
        }
        return table
    }

    private static let dcCodes = codes(dcBits, dcValues)
    private static let acCodes = codes(acBits, acValues)

    /// `c[u][x] = C(u)/2 · cos((2x + 1)uπ/16)`: the 8-point DCT-II as a matrix, flattened.
    private static let cosines: [Double] = (0..<64).map { i in
        let u = i / 8
        let x = i % 8
        let scale = u == 0 ? 1 / 2.0.squareRoot() : 1.0
        return scale / 2 * cos(Double(2 * x + 1) * Double(u) * Double.pi / 16)
    }

    func encode() -> Data {
        var out = [UInt8]()
        out += [0xFF, 0xD8]
        // APP0 JFIF 1.1, no density, no thumbnail.
        out += [0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]
        // DQT: table 0, 8-bit, in zig-zag order.
        out += [0xFF, 0xDB, 0x00, 0x43, 0x00]
        out += Self.zigzag.map { UInt8(Self.quant[$0]) }
        // SOF0: 8 bits, the size, three components sampled 1×1 on table 0.
        out += [0xFF, 0xC0, 0x00, 0x11, 0x08, UInt8(height >> 8), UInt8(height & 0xff), UInt8(width >> 8),
                UInt8(width & 0xff), 0x03]
        for id: UInt8 in 1...3 { out += [id, 0x11, 0x00] }
        // DHT: DC table 0, AC table 0.
        out += [0xFF, 0xC4, 0x00, UInt8(3 + 16 + Self.dcValues.count), 0x00] + Self.dcBits + Self.dcValues
        out += [0xFF, 0xC4, 0x00, UInt8(3 + 16 + Self.acValues.count), 0x10] + Self.acBits + Self.acValues
        // SOS: the three components, all on tables 0/0, the full spectrum.
        out += [0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x3F, 0x00]
        out += scan()
        out += [0xFF, 0xD9]
        return Data(out)
    }

    /// The entropy-coded data: MCUs of one 8×8 block per component, left to right, top down.
    private func scan() -> [UInt8] {
        var bits = BitWriter()
        var previousDC = [0, 0, 0]
        // Work buffers (plain Swift in a debug build: no allocation per block).
        var samples = [Double](repeating: 0, count: 3 * 64)
        var rows = [Double](repeating: 0, count: 64)
        var coefficients = [Int](repeating: 0, count: 64)
        for by in stride(from: 0, to: height, by: 8) {
            for bx in stride(from: 0, to: width, by: 8) {
                samples.withUnsafeMutableBufferPointer { s in
                    for dy in 0..<8 {
                        for dx in 0..<8 {
                            // Edge blocks repeat the last column and row.
                            let (r8, g8, b8) = TestPictures.pixel(min(bx + dx, width - 1), min(by + dy, height - 1))
                            let r = Double(r8)
                            let g = Double(g8)
                            let b = Double(b8)
                            let i = dy * 8 + dx
                            s[i] = 0.299 * r + 0.587 * g + 0.114 * b - 128
                            s[64 + i] = -0.168_736 * r - 0.331_264 * g + 0.5 * b
                            s[128 + i] = 0.5 * r - 0.418_688 * g - 0.081_312 * b
                        }
                    }
                }
                for c in 0..<3 {
                    Self.quantize(samples, from: c * 64, rows: &rows, into: &coefficients)
                    let diff = coefficients[0] - previousDC[c]
                    previousDC[c] = coefficients[0]
                    let size = Self.magnitude(diff)
                    bits.write(Self.dcCodes[size])
                    bits.write(Self.amplitude(diff, size), size)
                    var run = 0
                    for k in 1..<64 {
                        let value = coefficients[k]
                        if value == 0 {
                            run += 1
                            continue
                        }
                        while run > 15 {
                            bits.write(Self.acCodes[0xF0])
                            run -= 16
                        }
                        let size = Self.magnitude(value)
                        bits.write(Self.acCodes[run << 4 | size])
                        bits.write(Self.amplitude(value, size), size)
                        run = 0
                    }
                    if run > 0 { bits.write(Self.acCodes[0x00]) }
                }
            }
        }
        return bits.finish()
    }

    /// The DCT of the 64 samples at `start`, quantized, into `out` in zig-zag order.
    private static func quantize(_ samples: [Double], from start: Int, rows: inout [Double], into out: inout [Int]) {
        cosines.withUnsafeBufferPointer { c in
            samples.withUnsafeBufferPointer { f in
                rows.withUnsafeMutableBufferPointer { t in
                    // Along each row: t[y][u] = Σx c[u][x] f[y][x].
                    for y in 0..<8 {
                        for u in 0..<8 {
                            var sum = 0.0
                            for x in 0..<8 { sum += c[u * 8 + x] * f[start + y * 8 + x] }
                            t[y * 8 + u] = sum
                        }
                    }
                }
            }
            rows.withUnsafeBufferPointer { t in
                quant.withUnsafeBufferPointer { q in
                    zigzag.withUnsafeBufferPointer { z in
                        out.withUnsafeMutableBufferPointer { o in
                            // Down each column: F[v][u] = Σy c[v][y] t[y][u], stored at u's and
                            // v's zig-zag position.
                            for k in 0..<64 {
                                let natural = z[k]
                                let v = natural / 8
                                let u = natural % 8
                                var sum = 0.0
                                for y in 0..<8 { sum += c[v * 8 + y] * t[y * 8 + u] }
                                o[k] = Int((sum / Double(q[natural])).rounded())
                            }
                        }
                    }
                }
            }
        }
    }

    /// The number of bits of |value| (the JPEG "size" category).
    private static func magnitude(_ value: Int) -> Int {
        var v = abs(value)
        var n = 0
        while v > 0 {
            n += 1
            v >>= 1
        }
        return n
    }

    /// The value's bits as JPEG writes them: negative values as value − 1 in `size` bits.
    private static func amplitude(_ value: Int, _ size: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: value >= 0 ? value : value + (1 << size) - 1) & ((1 << UInt32(size)) - 1)
    }
}

/// Bits into bytes, most significant first, with JPEG's byte stuffing (0xFF → 0xFF 0x00).
private struct BitWriter {
    private var bytes = [UInt8]()
    private var buffer: UInt32 = 0
    private var count = 0

    mutating func write(_ code: (UInt32, Int)) { write(code.0, code.1) }

    mutating func write(_ value: UInt32, _ length: Int) {
        precondition(length <= 16)
        guard length > 0 else { return }
        buffer = buffer << UInt32(length) | (value & ((1 << UInt32(length)) - 1))
        count += length
        while count >= 8 {
            let byte = UInt8((buffer >> UInt32(count - 8)) & 0xff)
            bytes.append(byte)
            if byte == 0xFF { bytes.append(0x00) }
            count -= 8
        }
        buffer &= (1 << UInt32(count)) - 1
    }

    /// The bytes, the last one padded with 1 bits.
    mutating func finish() -> [UInt8] {
        if count > 0 { write((1 << UInt32(8 - count)) - 1, 8 - count) }
        return bytes
    }
}
