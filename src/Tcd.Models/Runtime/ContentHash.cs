using System.Security.Cryptography;

namespace Tcd.Models.Runtime;

/// <summary>
/// A SHA-256 of data and whole files fed to it in order, for fingerprints that name corpora and models by their content
/// (<see cref="Data.TextCorpus.Fingerprint"/>, <see cref="Modeling.BertModelStore.Fingerprint"/>). Files are read in
/// blocks, so a file of gigabytes needs no more memory than one block, and a cancellation takes effect between blocks.
/// </summary>
internal sealed class ContentHash : IDisposable
{
    private const int BlockSize = 1 << 20;

    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] block = new byte[BlockSize];

    /// <summary>Appends <paramref name="data"/>.</summary>
    public void Append(ReadOnlySpan<byte> data) => hash.AppendData(data);

    /// <summary>Appends the bytes of the file at <paramref name="path"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a block was read.</exception>
    public void AppendFile(string path, CancellationToken cancellationToken)
    {
        using var stream = File.OpenRead(path);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = stream.Read(block);
            if (read == 0)
            {
                return;
            }

            hash.AppendData(block, 0, read);
        }
    }

    /// <summary>The SHA-256 of everything appended, as lowercase hex.</summary>
    public string ToHex() => Convert.ToHexStringLower(hash.GetHashAndReset());

    /// <inheritdoc/>
    public void Dispose() => hash.Dispose();
}
