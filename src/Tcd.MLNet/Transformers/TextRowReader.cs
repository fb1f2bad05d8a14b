using Microsoft.ML;

namespace Tcd.MLNet.Transformers;

/// <summary>Reads the text column (and the pair column, when there is one) of the current row of a cursor or row.</summary>
internal sealed class TextRowReader
{
    private readonly ValueGetter<ReadOnlyMemory<char>> text;
    private readonly ValueGetter<ReadOnlyMemory<char>>? pair;

    public TextRowReader(DataViewRow row, string textColumnName, string? pairColumnName)
    {
        text = row.GetGetter<ReadOnlyMemory<char>>(row.Schema[textColumnName]);
        pair = pairColumnName is null ? null : row.GetGetter<ReadOnlyMemory<char>>(row.Schema[pairColumnName]);
    }

    public TextRow Read()
    {
        ReadOnlyMemory<char> value = default;
        text(ref value);
        var first = value.ToString();
        if (pair is null)
        {
            return new TextRow(first, null);
        }

        ReadOnlyMemory<char> second = default;
        pair(ref second);
        return new TextRow(first, second.ToString());
    }
}
