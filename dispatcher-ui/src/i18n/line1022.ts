import { useMemo } from 'react';
import { useI18n, type I18n } from './I18n.tsx';
import type { Locale } from './dict.ts';
import { fillParams, intlLocale } from './format.ts';

/**
 * Strings of line 1022 (the citizen page, the agency portal, the report intake and queue), kept
 * apart like the role pages' strings. Vietnamese first; English must have every key.
 */
export const line1022Vi = {
  'type.emergency': 'Cấp cứu',
  'type.field_report': 'Phản ánh hiện trường',
  'type.procedure_question': 'Hỏi thủ tục',
  'type.suggestion': 'Góp ý',
  'state.received': 'Tổng đài đang xử lý',
  'state.forwarded': 'Đã chuyển đơn vị',
  'state.accepted': 'Đơn vị đang xử lý',
  'state.returned': 'Đơn vị trả lại',
  'state.closed': 'Đã xử lý xong',
  'rating.satisfied': 'Hài lòng',
  'rating.unsatisfied': 'Chưa hài lòng',

  'citizen.title': 'Phản ánh đến Tổng đài 1022',
  'citizen.intro': 'Gửi phản ánh về giao thông, môi trường, an ninh trật tự, hạ tầng, trật tự đô thị. Trường hợp cấp cứu, hãy gọi 115.',
  'citizen.type': 'Loại yêu cầu',
  'citizen.category': 'Lĩnh vực',
  'citizen.description': 'Nội dung',
  'citizen.descriptionHint': 'Mô tả sự việc, địa điểm cụ thể',
  'citizen.phone': 'Số điện thoại',
  'citizen.name': 'Họ tên (không bắt buộc)',
  'citizen.address': 'Địa chỉ',
  'citizen.location': 'Vị trí',
  'citizen.useGps': 'Lấy vị trí hiện tại',
  'citizen.locating': 'Đang lấy vị trí…',
  'citizen.located': 'Đã có vị trí ({accuracy} m)',
  'citizen.noGps': 'Không lấy được vị trí; hãy ghi địa chỉ.',
  'citizen.photos': 'Ảnh (tối đa 4, JPEG hoặc PNG, mỗi ảnh ≤ 8 MB)',
  'citizen.submit': 'Gửi phản ánh',
  'citizen.sending': 'Đang gửi…',
  'citizen.sent': 'Đã gửi. Mã theo dõi của bạn:',
  'citizen.keepCode': 'Hãy lưu mã này để xem kết quả xử lý.',
  'citizen.track': 'Tra cứu kết quả',
  'citizen.code': 'Mã theo dõi',
  'citizen.lookup': 'Tra cứu',
  'citizen.notFound': 'Không tìm thấy phản ánh với mã này.',
  'citizen.status': 'Trạng thái',
  'citizen.agency': 'Đơn vị xử lý',
  'citizen.answer': 'Trả lời',
  'citizen.rate': 'Bạn có hài lòng với kết quả?',
  'citizen.rated': 'Cảm ơn bạn đã đánh giá: {rating}',
  'citizen.err.phone': 'Số điện thoại chưa đúng.',
  'citizen.err.description': 'Hãy mô tả sự việc.',
  'citizen.err.category': 'Hãy chọn lĩnh vực.',
  'citizen.err.tooMany': 'Bạn đã gửi quá nhiều phản ánh; hãy thử lại sau {sec} giây hoặc gọi 1022.',
  'citizen.err.server': 'Không gửi được: {message}',
  'citizen.newReport': 'Gửi phản ánh khác',

  'agency.title': 'Phản ánh 1022',
  'agency.empty': 'Không có phản ánh nào đang chờ đơn vị.',
  'agency.due': 'Hạn trả lời {time}',
  'agency.overdue': 'Quá hạn {duration}',
  'agency.left': 'Còn {duration}',
  'agency.accept': 'Tiếp nhận',
  'agency.answer': 'Trả lời người dân',
  'agency.send': 'Gửi trả lời',
  'agency.attach': 'Đính kèm ảnh khắc phục',
  'agency.close': 'Hoàn thành',
  'agency.sendBack': 'Trả lại tổng đài',
  'agency.passOn': 'Chuyển đơn vị khác',
  'agency.reason': 'Lý do',
  'agency.flagged': 'Số gọi bị đánh dấu quấy rối',
  'agency.photos': 'Ảnh',
  'agency.done': 'Đã xong',

  'intake.reportType': 'Loại yêu cầu 1022',
  'intake.reportCategory': 'Lĩnh vực',
  'intake.description': 'Nội dung',
  'intake.created': 'Đã tạo phản ánh #{number}, mã theo dõi {code}',
  'queue.title': 'Phản ánh 1022 đang mở',
  'queue.empty': 'Không có phản ánh đang mở.',
  'queue.centre': 'Tại tổng đài',
  'queue.unrouted': 'Chưa có đơn vị phụ trách',
  'queue.forward': 'Chuyển đơn vị (ghi lý do)',
} as const;

export type LineKey = keyof typeof line1022Vi;

export const line1022En: Record<LineKey, string> = {
  'type.emergency': 'Emergency',
  'type.field_report': 'Field report',
  'type.procedure_question': 'Procedure question',
  'type.suggestion': 'Suggestion',
  'state.received': 'With the call centre',
  'state.forwarded': 'Forwarded to an agency',
  'state.accepted': 'Agency working on it',
  'state.returned': 'Sent back by the agency',
  'state.closed': 'Done',
  'rating.satisfied': 'Satisfied',
  'rating.unsatisfied': 'Not satisfied',

  'citizen.title': 'Report to the 1022 hotline',
  'citizen.intro': 'Report traffic, environment, public order, infrastructure or urban order problems. For a medical emergency, call 115.',
  'citizen.type': 'Request type',
  'citizen.category': 'Category',
  'citizen.description': 'What happened',
  'citizen.descriptionHint': 'Describe the problem and the exact place',
  'citizen.phone': 'Phone number',
  'citizen.name': 'Name (optional)',
  'citizen.address': 'Address',
  'citizen.location': 'Location',
  'citizen.useGps': 'Use my current location',
  'citizen.locating': 'Getting your location…',
  'citizen.located': 'Location found ({accuracy} m)',
  'citizen.noGps': 'Could not get your location; please write the address.',
  'citizen.photos': 'Photos (up to 4, JPEG or PNG, 8 MB each)',
  'citizen.submit': 'Send report',
  'citizen.sending': 'Sending…',
  'citizen.sent': 'Sent. Your tracking code:',
  'citizen.keepCode': 'Keep this code to see how your report is handled.',
  'citizen.track': 'Track a report',
  'citizen.code': 'Tracking code',
  'citizen.lookup': 'Look up',
  'citizen.notFound': 'No report with this code.',
  'citizen.status': 'Status',
  'citizen.agency': 'Handled by',
  'citizen.answer': 'Answer',
  'citizen.rate': 'Are you satisfied with the result?',
  'citizen.rated': 'Thank you for your rating: {rating}',
  'citizen.err.phone': 'The phone number is not valid.',
  'citizen.err.description': 'Please describe the problem.',
  'citizen.err.category': 'Please choose a category.',
  'citizen.err.tooMany': 'Too many reports; try again in {sec} s or call 1022.',
  'citizen.err.server': 'Could not send: {message}',
  'citizen.newReport': 'Send another report',

  'agency.title': '1022 reports',
  'agency.empty': 'No reports waiting for your agency.',
  'agency.due': 'Answer due {time}',
  'agency.overdue': 'Overdue by {duration}',
  'agency.left': '{duration} left',
  'agency.accept': 'Accept',
  'agency.answer': 'Answer the citizen',
  'agency.send': 'Send answer',
  'agency.attach': 'Attach photos of the fix',
  'agency.close': 'Close as done',
  'agency.sendBack': 'Send back to the centre',
  'agency.passOn': 'Pass on to another agency',
  'agency.reason': 'Reason',
  'agency.flagged': 'Caller flagged as harassing',
  'agency.photos': 'Photos',
  'agency.done': 'Done',

  'intake.reportType': '1022 request type',
  'intake.reportCategory': 'Category',
  'intake.description': 'Description',
  'intake.created': 'Report #{number} created, tracking code {code}',
  'queue.title': 'Open 1022 reports',
  'queue.empty': 'No open reports.',
  'queue.centre': 'At the centre',
  'queue.unrouted': 'No agency covers it',
  'queue.forward': 'Forward (with a reason)',
};

const DICTS: Record<Locale, Record<LineKey, string>> = { vi: line1022Vi, en: line1022En };

export interface LineI18n extends I18n {
  l(key: LineKey, params?: Record<string, string | number>): string;
  /** A duration in ms as "2 h 05 min" / "35 min". */
  span(ms: number): string;
}

export function useLineText(): LineI18n {
  const i18n = useI18n();
  return useMemo(
    () => ({
      ...i18n,
      l: (key, params) => fillParams(i18n.locale, DICTS[i18n.locale][key], params),
      span: (ms) => {
        const min = Math.round(Math.abs(ms) / 60_000);
        const h = Math.floor(min / 60);
        return h > 0 ? `${h} h ${String(min % 60).padStart(2, '0')} min` : `${min} min`;
      },
    }),
    [i18n],
  );
}

export const intlOf = intlLocale;
