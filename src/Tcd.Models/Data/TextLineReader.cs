using System.Text;

namespace Tcd.Models.Data;

/// <summary>
/// Reads the lines of a text file the way users save them, for every reader of text input (corpora, GLUE files,
/// vocabularies): UTF-8 with or without a byte-order mark, UTF-16 or UTF-32 with one, and LF, CRLF or CR line ends.
/// What cannot be read as text is refused rather than read wrong: a line holding bytes that are not UTF-8 (a Latin-1
/// or Windows-1252 file, which would otherwise lose every accented letter without a word), or a NUL character (a
/// binary or compressed file, or UTF-16 without a byte-order mark).
/// </summary>
internal sealed class TextLineReader : IDisposable
{
    private readonly StreamReader reader;
    private readonly InvalidBytesFallback invalidBytes = new();
    private readonly Func<int, string, Exception> refuse;

    /// <param name="stream">The file's bytes; disposed with this reader.</param>
    /// <param name="refuse">
    /// Makes the exception for a line that is not text from its 1-based number and the reason (a sentence fragment
    /// such as "holds NUL bytes ..."), so each reader names its file in its own error type.
    /// </param>
    public TextLineReader(Stream stream, Func<int, string, Exception> refuse)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(refuse);
        this.refuse = refuse;
        // With a preamble the reader skips a UTF-8 byte-order mark itself and keeps this encoding; detecting the mark
        // instead would swap in Encoding.UTF8 and its silent replacement of invalid bytes.
        var utf8 = (Encoding)new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).Clone();
        utf8.DecoderFallback = invalidBytes;
        reader = new StreamReader(stream, utf8, detectEncodingFromByteOrderMarks: true);
    }

    /// <summary>The 1-based number of the line last read; 0 before the first.</summary>
    public int LineNumber { get; private set; }

    /// <summary>Opens <paramref name="path"/>; see <see cref="TextLineReader(Stream, Func{int, string, Exception})"/>.</summary>
    public static TextLineReader Open(string path, Func<int, string, Exception> refuse) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16), refuse);

    /// <summary>The next line without its line end, or null at the end of the file.</summary>
    /// <exception cref="Exception">The line is not text: whatever the constructor's <c>refuse</c> makes.</exception>
    public string? ReadLine()
    {
        var line = reader.ReadLine();
        if (line is null)
        {
            return null;
        }

        LineNumber++;
        if (line.Contains('\0'))
        {
            throw refuse(LineNumber,
                "holds NUL bytes, which text never does: it is a binary or compressed file (decompress a .zip, .gz or " +
                ".bz2 first), or UTF-16 text without a byte-order mark (save it as UTF-8).");
        }

        // The decoder runs ahead of the lines handed out, so the flag says that some bytes were invalid and the
        // marker which line holds them.
        if (invalidBytes.SawInvalidBytes && line.Contains(InvalidBytesFallback.Marker))
        {
            throw refuse(LineNumber,
                "holds bytes that are not UTF-8: the file is in another encoding, such as Latin-1 or Windows-1252 " +
                "(Excel's 'Text' format; save it as UTF-8, e.g. iconv -f windows-1252 -t utf-8 <file> > <file.utf8>), " +
                "or not text at all (decompress a .zip, .gz or .bz2 first).");
        }

        return line;
    }

    /// <inheritdoc/>
    public void Dispose() => reader.Dispose();

    /// <summary>Replaces each invalid UTF-8 sequence with <see cref="Marker"/>, and remembers meeting one.</summary>
    private sealed class InvalidBytesFallback : DecoderFallback
    {
        /// <summary>
        /// U+FFFD, the replacement character: a file that holds one as text is still read, because a line is refused
        /// only once invalid bytes have been met.
        /// </summary>
        public const char Marker = '\uFFFD';

        private static readonly DecoderReplacementFallback Replacement = new(Marker.ToString());

        public bool SawInvalidBytes { get; private set; }

        public override int MaxCharCount => Replacement.MaxCharCount;

        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(this, Replacement.CreateFallbackBuffer());

        private sealed class Buffer(InvalidBytesFallback owner, DecoderFallbackBuffer replacement) : DecoderFallbackBuffer
        {
            public override int Remaining => replacement.Remaining;

            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                owner.SawInvalidBytes = true;
                return replacement.Fallback(bytesUnknown, index);
            }

            public override char GetNextChar() => replacement.GetNextChar();

            public override bool MovePrevious() => replacement.MovePrevious();

            public override void Reset() => replacement.Reset();
        }
    }
}
