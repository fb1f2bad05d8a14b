using Microsoft.ML;
using Microsoft.ML.Data;

namespace Tcd.MLNet.Transformers;

/// <summary>The cursor of <see cref="BatchedDataView"/>; see its remarks.</summary>
internal sealed class BatchedCursor : DataViewRowCursor
{
    private readonly BertTransformer transformer;
    private readonly DataViewRowCursor main;
    private readonly DataViewRowCursor? reader;
    private readonly TextRowReader? texts;
    private readonly HashSet<int> active;
    private readonly int inputCount;

    /// <summary>
    /// Whether the context was cancelled before this cursor began: then it runs, as ML.NET's own transformers do, since
    /// AutoML cancels a trial's context when the trial ends and the model fitted there must still serve.
    /// </summary>
    private readonly bool cancelledBeforeStart;

    /// <summary>
    /// Rows read ahead and run together, in batches: one batch at first, so the first rows come soon, then twice as many
    /// each time up to <see cref="MaxWindowBatches"/> batches, among which the rows are batched by length.
    /// </summary>
    private int windowRows;
    private float[][] outputs = [];
    private int offset;
    private long position = -1;

    public BatchedCursor(DataViewSchema schema, BertTransformer transformer, DataViewRowCursor main, DataViewRowCursor? reader, HashSet<int> active)
    {
        Schema = schema;
        this.transformer = transformer;
        this.main = main;
        this.reader = reader;
        this.active = active;
        inputCount = main.Schema.Count;
        texts = reader is null ? null : new TextRowReader(reader, transformer.TextColumnName, transformer.PairColumnName);
        windowRows = transformer.BatchSize;
        cancelledBeforeStart = transformer.ContextCancelled;
    }

    /// <summary>The most batches read ahead: enough for rows of like length to meet, few enough to hold little.</summary>
    internal const int MaxWindowBatches = 8;

    public override DataViewSchema Schema { get; }

    public override long Position => position;

    public override long Batch => main.Batch;

    public override bool MoveNext()
    {
        if (!main.MoveNext())
        {
            return false;
        }

        position++;
        if (reader is not null && ++offset >= outputs.Length)
        {
            ReadNextWindow(reader);
        }

        return true;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
        {
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
        }

        return column.Index < inputCount
            ? main.GetGetter<TValue>(main.Schema[column.Index])
            : transformer.OutputColumns[column.Index - inputCount].MakeGetter<TValue>(() => outputs[offset]);
    }

    public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

    public override ValueGetter<DataViewRowId> GetIdGetter() => main.GetIdGetter();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            main.Dispose();
            reader?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void ReadNextWindow(DataViewRowCursor source)
    {
        var rows = new List<TextRow>(windowRows);
        while (rows.Count < windowRows && source.MoveNext())
        {
            rows.Add(texts!.Read());
        }

        windowRows = Math.Min(windowRows * 2, transformer.BatchSize * MaxWindowBatches);

        if (rows.Count == 0)
        {
            throw new InvalidOperationException("The input data view returned fewer rows on its second cursor than on its first; it must return the same rows on every cursor.");
        }

        outputs = transformer.Predict(rows, ThrowIfCancelled);
        offset = 0;
    }

    /// <summary>Stops the cursor before its next batch once the context is cancelled (<c>mlContext.CancelExecution()</c>), as ML.NET stops a trainer.</summary>
    private void ThrowIfCancelled()
    {
        if (!cancelledBeforeStart && transformer.ContextCancelled)
        {
            throw new OperationCanceledException(
                $"{transformer.GetType().Name}.Transform was cancelled by mlContext.CancelExecution() after {position} rows; " +
                "the model is unchanged and serves cursors begun from now on.");
        }
    }
}
