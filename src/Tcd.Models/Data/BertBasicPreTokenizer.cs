using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace Tcd.Models.Data;

/// <summary>
/// Splits normalised text into words the way Google BERT's <c>BasicTokenizer</c> does: on whitespace, and every
/// punctuation character is a word of its own. Punctuation is what BERT calls punctuation: every non-alphanumeric
/// ASCII character (so <c>$</c>, <c>+</c>, <c>^</c> count) and every Unicode P* character. Everything else,
/// emoji and other symbols included, stays inside its word, so an unknown word becomes <c>[UNK]</c> rather than
/// disappearing.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers' default BERT pre-tokenizer (<c>\w+|\p{P}</c>) silently drops symbols such as
/// <c>$</c>, <c>=</c> or emoji, which changes the token stream compared with the reference BERT tokeniser.
/// </remarks>
internal sealed class BertBasicPreTokenizer : PreTokenizer
{
    public static BertBasicPreTokenizer Instance { get; } = new();

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) =>
        text is null ? [] : Split(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text);

    internal static bool IsPunctuation(char c) =>
        c is (>= '!' and <= '/') or (>= ':' and <= '@') or (>= '[' and <= '`') or (>= '{' and <= '~')
        || char.GetUnicodeCategory(c) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    private static List<(int Offset, int Length)> Split(ReadOnlySpan<char> text)
    {
        var words = new List<(int Offset, int Length)>();
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var whitespace = char.IsWhiteSpace(c);
            if (whitespace || IsPunctuation(c))
            {
                if (start >= 0)
                {
                    words.Add((start, i - start));
                    start = -1;
                }

                if (!whitespace)
                {
                    words.Add((i, 1));
                }
            }
            else if (start < 0)
            {
                start = i;
            }
        }

        if (start >= 0)
        {
            words.Add((start, text.Length - start));
        }

        return words;
    }
}
