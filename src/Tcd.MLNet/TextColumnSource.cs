using Microsoft.ML;

namespace Tcd.MLNet;

/// <summary>
/// The non-blank values of a text column, read through a fresh cursor on every enumeration so that a corpus is
/// streamed, never loaded whole. Blank rows are skipped and counted.
/// </summary>
internal sealed class TextColumnSource(IDataView data, string columnName) : IEnumerable<string>
{
    /// <summary>Blank (null, empty or whitespace) rows skipped by the last complete enumeration.</summary>
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
            if (value.Span.IsWhiteSpace())
            {
                skipped++;
                continue;
            }

            yield return value.ToString();
        }

        SkippedRows = skipped;
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
