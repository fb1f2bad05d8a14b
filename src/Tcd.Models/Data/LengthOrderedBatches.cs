namespace Tcd.Models.Data;

/// <summary>
/// Runs encoded texts through a model in batches of like length and returns the outputs in input order: each batch is
/// padded to the longest of its rows, so batching the shortest rows together leaves little of a batch as padding. For
/// inference, whose outputs do not depend on the batch (beyond float rounding).
/// </summary>
public static class LengthOrderedBatches
{
    /// <summary>
    /// Calls <paramref name="runBatch"/> on the inputs in batches of <paramref name="batchSize"/>, shortest first (inputs
    /// of one length keep their order, so a run batches them alike every time), and returns its outputs in input order.
    /// </summary>
    /// <typeparam name="T">One input's output.</typeparam>
    /// <param name="inputs">The encoded texts.</param>
    /// <param name="batchSize">Inputs per call of <paramref name="runBatch"/>.</param>
    /// <param name="runBatch">Runs one batch; returns one output per input, in the batch's order.</param>
    /// <param name="progress">Receives the number of inputs done after each batch.</param>
    /// <param name="cancellationToken">Checked before each batch.</param>
    /// <exception cref="OperationCanceledException">The token was cancelled; nothing is returned.</exception>
    public static T[] Run<T>(
        IReadOnlyList<EncodedText> inputs, int batchSize, Func<IReadOnlyList<EncodedText>, IReadOnlyList<T>> runBatch,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentNullException.ThrowIfNull(runBatch);
        var outputs = new T[inputs.Count];
        var done = 0;
        foreach (var batch in Enumerable.Range(0, inputs.Count).OrderBy(index => inputs[index].Length).Chunk(batchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batchOutputs = runBatch(batch.Select(index => inputs[index]).ToList());
            for (var i = 0; i < batch.Length; i++)
            {
                outputs[batch[i]] = batchOutputs[i];
            }

            done += batch.Length;
            progress?.Report(done);
        }

        return outputs;
    }
}
