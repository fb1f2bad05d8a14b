using Microsoft.ML;
using Microsoft.ML.Data;

namespace Tcd.MLNet.Tests.Estimators;

/// <summary>
/// Rows of a text (column <c>Text</c>) and a raw key label (column <c>Label</c>, a UInt32 key type of
/// <c>keyCount</c> values), handed to the reader exactly as given. Written by hand because ML.NET's own loaders turn a
/// key outside its range into the missing key 0: only an IDataView like this brings such a key to an estimator.
/// One cursor reads the rows in order; the column set asked for is ignored (every column is active).
/// </summary>
internal sealed class KeyLabelDataView : IDataView
{
    private readonly (string Text, uint Key)[] rows;

    public KeyLabelDataView(ulong keyCount, params (string Text, uint Key)[] rows)
    {
        this.rows = rows;
        var schema = new DataViewSchema.Builder();
        schema.AddColumn("Text", TextDataViewType.Instance);
        schema.AddColumn("Label", new KeyDataViewType(typeof(uint), keyCount));
        Schema = schema.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => rows.Length;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor(KeyLabelDataView view) : DataViewRowCursor
    {
        private long position = -1;

        public override long Position => position;

        public override long Batch => 0;

        public override DataViewSchema Schema => view.Schema;

        public override bool MoveNext()
        {
            if (position + 1 < view.rows.Length)
            {
                position++;
                return true;
            }

            position = -1;
            return false;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter = column.Index == 0
                ? (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> text) => text = view.rows[position].Text.AsMemory())
                : (ValueGetter<uint>)((ref uint key) => key = view.rows[position].Key);
            return getter as ValueGetter<TValue>
                   ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }
    }
}
