using Microsoft.ML;

namespace Tcd.MLNet.Transformers;

/// <summary>
/// The lazy output of <see cref="BertTransformer.Transform"/>: the input columns plus the transformer's columns,
/// computed one batch of rows per forward pass when a cursor reaches them.
/// </summary>
/// <remarks>
/// A cursor reads the input with two synchronised input cursors: one serves the pass-through columns row by row, the
/// other reads the text of the rows ahead so that the model runs once per batch: one batch at first, then twice as many
/// each time up to <see cref="BatchedCursor.MaxWindowBatches"/> batches (256 rows at the default batch size of 32),
/// which are batched shortest first so that little of each batch is padding. Only the texts of those rows are held; rows
/// come in the input's order (no shuffling).
/// </remarks>
internal sealed class BatchedDataView : IDataView
{
    private readonly BertTransformer transformer;
    private readonly IDataView input;
    private int networkPasses;

    public BatchedDataView(BertTransformer transformer, IDataView input)
    {
        this.transformer = transformer;
        this.input = input;
        Schema = OutputColumn.AppendTo(input.Schema, transformer.OutputColumns);
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = columnsNeeded.Select(column => column.Index).ToHashSet();
        var inputCount = input.Schema.Count;
        var main = input.GetRowCursor(input.Schema.Where(column => active.Contains(column.Index)));
        var needsModel = active.Any(index => index >= inputCount);
        var reader = needsModel ? input.GetRowCursor(transformer.TextColumns(input.Schema)) : null;
        if (needsModel && Interlocked.Increment(ref networkPasses) == BertTransformer.UncachedPassesBeforeWarning)
        {
            transformer.WarnUncachedPasses(BertTransformer.UncachedPassesBeforeWarning);
        }

        return new BatchedCursor(Schema, transformer, main, reader, active);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
