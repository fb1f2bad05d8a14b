using Microsoft.ML;
using Tcd.Models.Data;

namespace Tcd.MLNet;

/// <summary>
/// The non-blank values of a text column, read through a fresh cursor on every enumeration so that a corpus is
/// streamed, never loaded whole. Blank rows (no word pieces for <paramref name="encoder"/>, see
/// <see cref="BertTextEncoder.IsBlank"/>) and WikiExtractor tag rows (a WikiExtractor dump loaded one line per row) are
/// skipped and counted.
/// </summary>
internal sealed class TextColumnSource(IDataView data, string columnName, BertTextEncoder encoder) : IEnumerable<string>
{
    /// <summary>
    /// Blank and WikiExtractor tag rows skipped in one pass over the rows read so far: every
    /// pass reads the same rows, so this is the count of the pass that got furthest, finished or not.
    /// </summary>
    public long SkippedRows { get; private set; }

    /// <summary>True when at least one row has text.</summary>
    public bool HasText() => this.Any();

    public IEnumerator<string> GetEnumerator()
    {
        var column = data.Schema[columnName];
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        long skipped = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            var text = value.ToString();
            if (encoder.IsBlank(text) || TextCorpus.IsWikiExtractorTag(text.Trim()))
            {
                SkippedRows = Math.Max(SkippedRows, ++skipped);
                continue;
            }

            yield return text;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
