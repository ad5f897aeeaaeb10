// A local stand-in for api.portone.io that answers GET /payments/{id} with one fixed, realistic
// PaidPayment; run as a child process so that its work does not share the client's thread.
import { createServer } from "node:http";

const payment = {
  status: "PAID",
  id: "order-2024-04-25-000123",
  transactionId: "01903a1b-6f2e-7c4d-9a8b-1c2d3e4f5a6b",
  merchantId: "merchant-4a5b6c7d-1234-4abc-9def-0123456789ab",
  storeId: "store-61e0db3d-b967-47db-8b50-96002da90d55",
  method: {
    type: "PaymentMethodCard",
    card: {
      publisher: "SHINHAN",
      issuer: "SHINHAN",
      brand: "MASTER",
      type: "CREDIT",
      ownerType: "PERSONAL",
      bin: "51234567",
      name: "Shinhan Card",
      number: "51234567****1234",
    },
    approvalNumber: "30012345",
    installment: { month: 0, isInterestFree: false },
    pointUsed: false,
  },
  channel: {
    type: "LIVE",
    id: "channel-id-0123456789",
    key: "channel-key-9b2f0a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b",
    name: "main channel",
    pgProvider: "TOSSPAYMENTS",
    pgMerchantId: "tosspayments-mid",
  },
  version: "V2",
  requestedAt: "2024-04-25T10:00:00.000Z",
  updatedAt: "2024-04-25T10:00:05.000Z",
  statusChangedAt: "2024-04-25T10:00:05.000Z",
  orderName: "Organic coffee beans 1 kg x 2",
  amount: {
    total: 52000,
    taxFree: 0,
    vat: 4727,
    supply: 47273,
    discount: 0,
    paid: 52000,
    cancelled: 0,
    cancelledTaxFree: 0,
  },
  currency: "KRW",
  customer: {
    id: "customer-42",
    name: "Hong Gildong",
    email: "gildong@example.com",
    phoneNumber: "01012345678",
  },
  origin: "https://shop.example.com/checkout",
  isCulturalExpense: false,
  products: [{ id: "coffee-1kg", name: "Organic coffee beans 1 kg", amount: 26000, quantity: 2 }],
  productCount: 2,
  customData: '{"cartId":"cart-77"}',
  country: "KR",
  paidAt: "2024-04-25T10:00:05.000Z",
  pgTxId: "tgen_20240425100000abcd1234",
  receiptUrl: "https://dashboard.example.com/receipt/tgen_20240425100000abcd1234",
  disputes: [],
  cancellations: [],
};

const body = JSON.stringify(payment);

const server = createServer((request, response) => {
  if (request.method === "GET" && request.url?.startsWith("/payments/")) {
    response.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    response.end(body);
    return;
  }
  response.writeHead(404, { "content-type": "application/json" });
  response.end('{"type":"NOT_FOUND","message":"no such route in the benchmark server"}');
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port, bytes: body.length })}\n`);
});
process.on("disconnect", () => server.close());
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
